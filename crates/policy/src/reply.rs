//! The reply to the requesting state, and the scanner that proves it discloses nothing.
//!
//! A reply may be read by the very state the person fled. Telling it that an asylum application
//! or a protection status exists is itself a harm (APR (EU) 2024/1348 Art 7(2); UNHCR Advisory
//! Opinion on confidentiality, 2005 — rule `confidentiality-of-reply` in the catalogue). So the
//! reply depends on nothing but the request's kind, its reference and date, the outcome and the
//! legal basis: it cannot leak what it never sees. The grounds it gives are the generic ones each
//! instrument offers ("essential interests", "ordre public"), never the real ground, and only
//! from an instrument in force with the requesting state (the partner table's `reply` sentences,
//! which the table's validation also scans), or the requested state's law.

use haven_domain::{CountryCode, Outcome, Request, RequestKind};

use crate::partners::{Applicable, PartnerTable};

/// The rule of the catalogue that grounds the reply's confidentiality (for memos and audits).
pub const CONFIDENTIALITY_RULE: &str = "confidentiality-of-reply";

/// Said when the partner table has no sentence for a refusal: the requested state's law, on the
/// generic grounds every instrument and national law share.
const REFUSAL_FALLBACK: &str = "the request cannot be granted: the requested State considers \
    that its execution would prejudice its sovereignty, security, ordre public or other \
    essential interests, a ground of refusal under its law.";

/// Said when the partner table has no sentence for execution.
const EXECUTION_FALLBACK: &str = "the request will be executed in accordance with the law of \
    the requested State.";

/// Said when no instrument that applies words the use limitation: LEGAL-REVIEW §3 asks for
/// consent to any further use and to any onward transfer.
const SPECIALITY_FALLBACK: &str = "Information and evidence provided may be used only for the \
    proceedings named in the request; any other use, and any onward transfer, requires the prior \
    consent of the requested State.";

/// Added when execution is subject to safeguards: they are the law's conditions, not a reason.
const CONDITIONS: &str = "Execution is subject to the conditions and formalities prescribed by \
    the law of the requested State.";

/// A freeze says only that the request is being examined: any more would hint at why.
const UNDER_EXAMINATION: &str =
    "the request has been received and is under examination by the competent authorities.";

/// Writes the reply to the requesting state on behalf of `requested_state`: generic grounds
/// only, by request kind and outcome, citing only the instruments of `partners` in force with
/// the requesting state (or the requested state's law).
pub fn reply(
    partners: &PartnerTable,
    requested_state: CountryCode,
    request: &Request,
    outcome: Outcome,
) -> String {
    reply_under(
        request,
        outcome,
        &partners.applicable(requested_state, request),
    )
}

/// The reply under a legal basis already looked up.
pub(crate) fn reply_under(
    request: &Request,
    outcome: Outcome,
    applicable: &Applicable<'_>,
) -> String {
    let mut text = heading(request);
    text.push(' ');
    match outcome {
        Outcome::FreezeAndRefer => text.push_str(UNDER_EXAMINATION),
        // The clause named is always the essential-interests one: the persecution or political
        // offence clause would tell the requesting state why.
        Outcome::Refuse => text.push_str(
            applicable
                .reply("essential_interests")
                .unwrap_or(REFUSAL_FALLBACK),
        ),
        Outcome::Proceed | Outcome::ProceedWithSafeguards => {
            text.push_str(applicable.reply("execution").unwrap_or(EXECUTION_FALLBACK));
            if outcome == Outcome::ProceedWithSafeguards {
                text.push(' ');
                text.push_str(CONDITIONS);
            }
            text.push(' ');
            text.push_str(
                applicable
                    .reply("speciality")
                    .unwrap_or(SPECIALITY_FALLBACK),
            );
        }
    }
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
