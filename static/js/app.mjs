// CareCERT's own browser script, loaded by the page layout with
// <script type="module">. It starts the NHS.UK frontend components.
//
// The import URL carries the pinned nhsuk-frontend version; a unit test in
// src/platform/web/assets.rs fails if it differs from package.json.
import { initAll } from '/assets/nhsuk-frontend-10.6.1.min.js'

// The NHS.UK template sets these classes with a small inline script so the
// page does not jump while loading. Adding them here as well keeps the
// components working under a Content Security Policy that allows no inline
// script; adding a class that is already there changes nothing.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')

initAll()
