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

// Final assessments save each answer as it is chosen, so a reload or a dropped
// connection loses nothing. Without this script the "Save and finish later"
// button does the same job.
const assessment = document.querySelector('form[data-save-url]')
if (assessment) {
  const status = document.getElementById('save-status')
  const say = (text) => { if (status) status.textContent = text }
  const save = async (body) => {
    try {
      const response = await fetch(assessment.dataset.saveUrl, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
      return await response.json()
    } catch {
      return { saved: false, message: 'We could not save that answer just now. It will be saved when you submit.' }
    }
  }
  // Saves go one at a time, in the order the answers were chosen: moving through radios
  // with the arrow keys changes the answer at every key press, and the last choice must be
  // the one kept. The status speaks once the last save is done, and keeps any problem.
  let queue = Promise.resolve()
  let waiting = 0
  let problem = null
  assessment.addEventListener('change', (event) => {
    const input = event.target
    if (!input.name || !input.name.startsWith('q.')) return
    const body = new URLSearchParams()
    body.append('csrf_token', assessment.elements.csrf_token.value)
    body.append('attempt', assessment.elements.attempt.value)
    const chosen = assessment.querySelectorAll(`input[name="${CSS.escape(input.name)}"]:checked`)
    if (chosen.length === 0) body.append(input.name, '')
    chosen.forEach((c) => body.append(input.name, c.value))
    waiting += 1
    queue = queue.then(() => save(body)).then((reply) => {
      if (!reply.saved) problem = reply.message
      waiting -= 1
      if (waiting === 0) {
        say(problem ?? 'Your answer is saved.')
        problem = null
      }
    })
  })
}
