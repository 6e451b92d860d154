//! The reply to the requesting state, and the scanner that proves it discloses nothing.
//!
//! A reply may be read by the very state the person fled. Telling it that an asylum application
//! or a protection status exists is itself a harm (APR (EU) 2024/1348 Art 7(2); UNHCR Advisory
//! Opinion on confidentiality, 2005 — rule `confidentiality-of-reply` in the catalogue). So the
//! reply depends on nothing but the request's kind, its reference and date, and the outcome: it
//! cannot leak what it never sees. The grounds it gives are the generic ones each instrument
//! offers ("essential interests", "ordre public"), never the real ground.

use haven_domain::{Outcome, Request, RequestKind};

/// The rule of the catalogue that grounds the reply's confidentiality (for memos and audits).
pub const CONFIDENTIALITY_RULE: &str = "confidentiality-of-reply";

/// Writes the reply to the requesting state: generic grounds only, by request kind and outcome.
pub fn reply(request: &Request, outcome: Outcome) -> String {
    let mut text = heading(request);
    text.push(' ');
    text.push_str(body(request.kind, outcome));
    text
}

/// "Your request for mutual legal assistance, reference X, received on D." The reference is the
/// requesting authority's own, so repeating it discloses nothing; but if it happens to contain a
/// word the scanner forbids, it is left out rather than let the reply fail its own check.
fn heading(request: &Request) -> String {
    let what = match request.kind {
        RequestKind::Mla => "Your request for mutual legal assistance",
        RequestKind::Eio => "Your European Investigation Order",
        RequestKind::Extradition => "Your request for extradition",
        RequestKind::RedNotice => "The red notice",
        RequestKind::Diffusion => "The diffusion",
    };
    let reference = request.reference.as_str();
    let printable = reference.chars().all(|c| !c.is_control()) && reference.chars().count() <= 200;
    if printable && leaks(reference).is_empty() {
        format!(
            "{what}, reference {reference}, received on {}:",
            request.received_on
        )
    } else {
        format!("{what}, received on {}:", request.received_on)
    }
}

fn body(kind: RequestKind, outcome: Outcome) -> &'static str {
    use Outcome::*;
    use RequestKind::*;
    match (kind, outcome) {
        // A freeze says only that the request is being examined: any more would hint at why.
        (_, FreezeAndRefer) => {
            "the request has been received and is under examination by the competent authorities."
        }

        (Mla, Refuse) => {
            "the requested Party is unable to execute the request. Under Article 2(b) of the \
             European Convention on Mutual Assistance in Criminal Matters (1959), assistance may \
             be refused if the requested Party considers that execution of the request is likely \
             to prejudice the sovereignty, security, ordre public or other essential interests of \
             its country. The requested Party considers that execution of this request would \
             prejudice its essential interests."
        }
        (Mla, Proceed) => {
            "the request will be executed in accordance with the law of the requested Party \
             (Article 3(1) of the European Convention on Mutual Assistance in Criminal Matters, \
             1959). Information and evidence provided may be used only for the proceedings named \
             in the request; any other use requires the prior consent of the requested Party, \
             which may ask to be informed of the use made of them (Article 26 of the Second \
             Additional Protocol to the Convention, ETS No. 182)."
        }
        (Mla, ProceedWithSafeguards) => {
            "the request will be executed in accordance with the law of the requested Party \
             (Article 3(1) of the European Convention on Mutual Assistance in Criminal Matters, \
             1959), under the conditions and formalities that law prescribes. Information and \
             evidence provided may be used only for the proceedings named in the request; any \
             other use requires the prior consent of the requested Party, which may ask to be \
             informed of the use made of them (Article 26 of the Second Additional Protocol to \
             the Convention, ETS No. 182)."
        }

        // Article 11(1) is named without its point: the point would tell (a) privilege from
        // (f) fundamental rights. The Art 11(4) consultation of the issuing authority happens
        // before this reply, through the case workflow, not in it.
        (Eio, Refuse) => {
            "the executing authority has decided not to recognise or execute the European \
             Investigation Order, on a ground for non-recognition or non-execution provided for \
             in Article 11(1) of Directive 2014/41/EU."
        }
        (Eio, Proceed) => {
            "the European Investigation Order will be executed in accordance with Article 9(1) \
             of Directive 2014/41/EU and the law of the executing State. Evidence transferred may \
             be used only for the proceedings for which it was requested; any other use requires \
             prior consent."
        }
        (Eio, ProceedWithSafeguards) => {
            "the European Investigation Order will be executed in accordance with Article 9(1) \
             of Directive 2014/41/EU and the law of the executing State, under the conditions and \
             formalities that law prescribes. Evidence transferred may be used only for the \
             proceedings for which it was requested; any other use requires prior consent."
        }

        // No article of the 1957 Convention is named: its Article 3 would point at political
        // offences or persecution. Essential interests and ordre public say nothing of either.
        (Extradition, Refuse) => {
            "the request cannot be granted. Extradition is refused in accordance with the \
             applicable treaty and the law of the requested Party, on grounds relating to its \
             essential interests and ordre public."
        }
        (Extradition, Proceed | ProceedWithSafeguards) => {
            "the request will be dealt with by the competent authorities in accordance with the \
             applicable treaty and the law of the requested Party. Any surrender would be subject \
             to the rule of speciality: the person could be proceeded against only for the \
             offences for which surrender was granted."
        }

        (RedNotice | Diffusion, Refuse) => {
            "the National Central Bureau of the requested country will not take any action on it \
             in its territory. INTERPOL's rules on the processing of data are applied."
        }
        (RedNotice | Diffusion, Proceed | ProceedWithSafeguards) => {
            "the National Central Bureau of the requested country will deal with it in accordance \
             with national law and INTERPOL's rules on the processing of data. Any measure in its \
             territory is taken only under its law, and information provided may be used only for \
             the proceedings named."
        }
    }
}

/// Words that would disclose asylum information, lower-case, in English, French and German
/// (accented and plain spellings). Stems catch their inflections: `persecut` finds
/// "persecution" and "persecuted", `verfolg` finds "Verfolgung" and "verfolgt".
const FORBIDDEN: &[&str] = &[
    "asylum",
    "asile",
    "asyl",
    "refugee",
    "réfugié",
    "refugie",
    "flüchtling",
    "fluechtling",
    "fluchtling",
    "protection",
    "protected",
    "protégé",
    "protege",
    "schutz",
    "persecut",
    "persécut",
    "verfolg",
    "non-refoulement",
    "refoulement",
    "unhcr",
    "high commissioner",
    "haut commissariat",
    "subsidiary",
    "subsidiaire",
    "subsidiär",
    "geneva convention",
    "convention de genève",
    "genfer",
    "1951 convention",
    "convention of 1951",
    "article 33",
    "art 33",
    "art. 33",
    "granting state",
    "registry",
    "registre",
    "register",
];

/// Lists the forbidden terms found in a text (case-insensitive), each once, in the order of
/// `FORBIDDEN`; plus "registry id" when something like `R-1001` or `C-7` appears. Empty means the
/// text is safe to send.
pub fn leaks(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    let mut found: Vec<&'static str> = FORBIDDEN
        .iter()
        .copied()
        .filter(|term| lower.contains(term))
        .collect();
    if has_record_id(&lower) {
        found.push("registry id");
    }
    found
}

/// Registry and context ids look like `r-1001` and `c-7` (lower-cased): a letter r or c that
/// starts a word, a hyphen, a digit.
fn has_record_id(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    chars.windows(3).enumerate().any(|(i, w)| {
        (w[0] == 'r' || w[0] == 'c')
            && w[1] == '-'
            && w[2].is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_finds_each_language() {
        let cases: &[(&str, &[&str])] = &[
            ("She is a recognised Refugee.", &["refugee"]),
            ("demande d'asile", &["asile"]),
            ("Asylverfahren", &["asyl"]),
            ("statut de réfugié", &["réfugié"]),
            ("anerkannter Flüchtling", &["flüchtling"]),
            ("subsidiärer Schutz", &["schutz", "subsidiär"]),
            ("PERSECUTION", &["persecut"]),
            ("risque de persécution", &["persécut"]),
            ("politische Verfolgung", &["verfolg"]),
            (
                "the principle of non-refoulement",
                &["non-refoulement", "refoulement"],
            ),
            ("UNHCR", &["unhcr"]),
            ("the Geneva Convention", &["geneva convention"]),
            (
                "Article 33 of the 1951 Convention",
                &["1951 convention", "article 33"],
            ),
            ("matched R-1001", &["registry id"]),
            (
                "Article 3(1) of the 1959 Convention; essential interests",
                &[],
            ),
            ("Art 2(b)", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(leaks(text), *expected, "{text}");
        }
    }
}
