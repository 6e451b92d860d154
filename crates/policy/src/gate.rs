//! The outbound transfer gate (DESIGN §5.5, LEGAL-REVIEW §3): item by item, what may leave the
//! country. Privileged or possibly privileged items need a judge's sorting; items about a
//! protected person or their relative are blocked unless a judge overrides with reasons (LED Art
//! 38(2)); the recipient must be within the legal basis; the covering text may not mention
//! asylum or protection nor name a protected person who is not a party; the applicable
//! instrument's use conditions travel with the material; two different judges approve.
//!
//! The rules, decided (DESIGN §5.5, LEGAL-REVIEW §3):
//!
//! * [`propose`] (officer): the case is `executed` or `transferred`; the items are named once
//!   each. Every item gets the gate's verdict; blocks do not refuse the proposal — it is stored
//!   with its verdicts so the officer sees what is blocked and why. Per item:
//!   - not in a completed execution record's inventory → `unknown_item` (never overridable);
//!   - privileged `yes|possible` and not sorted by a judge → `privilege_unsorted` (never
//!     overridable: a judge sorts it with [`sort_item`], then the officer proposes again);
//!     sorted privileged → `privileged` (never overridable); sorted not privileged → no block;
//!   - about a protected person: the owner party has a finding of protection (against the
//!     requesting state, by another state, a possible match, a relative of a protected person),
//!     or the owner's name is a `possible` or better match for a name of a protected person →
//!     `protected_person`, which a judge may override with reasons (LED Art 38(2)).
//!
//!   On the whole transfer (never overridable): the recipient's state is not the requesting
//!   state, or the instrument named is not one of the decision's legal basis →
//!   `recipient_outside_basis`; the covering text mentions asylum or protection (the reply's
//!   own scanner, [`crate::leaks`]) or names a protected person who is not a party →
//!   `covering_text`. The instrument's speciality and data-protection clauses travel with the
//!   material as use conditions, always with the requirement of consent to onward transfer.
//! * [`sort_item`] (judge): a privileged or possibly privileged item is sorted; a re-sort
//!   replaces the earlier one. Transfers already proposed are not re-evaluated.
//! * [`override_item`] (judge): only an item whose blocks are all overridable.
//! * [`approve`] (judge): refused while anything is blocked; two different judges; the second
//!   approval sends the transfer and the case moves to `transferred`.

use std::collections::BTreeSet;

use haven_domain::workflow::{
    Block, BlockReason, CaseEvent, CaseFile, Privileged, Reason, Refusal, RefusalCode, Signed,
    Sorting, Transfer, TransferItem, TransferState, split_transfer_id,
};
use haven_domain::{BasisKind, CountryCode, Decision, FindingCode, Principal, Request, Role};
use haven_names::{AnalysedName, Matcher, Tier, compare};

use crate::PartnerTable;
use crate::workflow::require_role;

/// A protected person the case touches (a registry match of a party, or a relative found two
/// hops out), with every name the registry has for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedPerson {
    pub record: String,
    pub names: Vec<String>,
    /// The request party they were matched to, if they are one.
    pub party: Option<usize>,
}

/// What an officer proposes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub recipient: String,
    pub legal_basis: String,
    pub items: Vec<String>,
    pub text: String,
}

/// What an approval did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// The first judge's approval is recorded.
    Recorded,
    /// The second judge approved: the transfer is sent.
    Sent,
}

/// The findings that make a party someone whose data the gate holds back (LED Art 38(2)).
const PROTECTION_FINDINGS: &[FindingCode] = &[
    FindingCode::ProtectedAgainstRequestingState,
    FindingCode::ProtectedByOtherState,
    FindingCode::PossibleMatchProtected,
    FindingCode::RelativeOfProtectedPerson,
];

/// The longest covering text the gate reads: a covering letter, not the material (every run of
/// up to [`NAME_WINDOW_WORDS`] words is compared with every protected person's names).
const MAX_TEXT_CHARS: usize = 10_000;

/// Longest run of words of the covering text compared with a protected person's name: names
/// of up to four parts ("Aigerim Serikovna Bekova" and a particle) are caught whole.
const NAME_WINDOW_WORDS: usize = 4;

const PRIVILEGE_SOURCES: &str = "EIO Directive 2014/41/EU Art 11(1)(a); ETS 182 Art 26; \
    safeguard transfer_after_judicial_sorting";

const PROTECTED_SOURCES: &str =
    "Law Enforcement Directive (EU) 2016/680 Art 38(2); LEGAL-REVIEW §3";

const CONFIDENTIALITY_SOURCES: &str = "rule confidentiality-of-reply: Asylum Procedure \
    Regulation (EU) 2024/1348 Art 7(2); UNHCR Advisory Opinion on confidentiality (2005)";

/// Said when the instrument has no speciality or data-protection clause on file.
const DEFAULT_USE_LIMITATION: &str = "Use of the material transferred is limited to the \
    proceedings described in the request.";

/// Proposes a transfer: the gate's verdict on every item and on the whole; the case moves to
/// `transfer_pending`. Returns the new file and the new transfer's id.
#[allow(clippy::too_many_arguments)]
pub fn propose(
    file: &CaseFile,
    case_id: &str,
    request: &Request,
    decision: &Decision,
    protected: &[ProtectedPerson],
    partners: &PartnerTable,
    proposal: Proposal,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<(CaseFile, String), Refusal> {
    require_role(by, Role::Officer, "propose a transfer")?;
    let signed = Signed::new(by, at, reason);
    let mut next = file.clone();
    crate::workflow::record_event(&mut next, CaseEvent::ProposeTransfer, signed.clone(), None)?;
    check_items(&proposal.items)?;
    let length = proposal.text.chars().count();
    if length > MAX_TEXT_CHARS {
        return Err(Refusal::new(
            RefusalCode::Invalid,
            format!(
                "text: a covering text of at most {MAX_TEXT_CHARS} characters, not {length} \
                 (send the material itself as items)"
            ),
        ));
    }
    let recipient_state = parse_recipient(&proposal.recipient)?;
    let id = format!("{case_id}-t{}", file.transfers.len() + 1);
    if split_transfer_id(&id) != Some((case_id, file.transfers.len() + 1)) {
        return Err(Refusal::new(
            RefusalCode::Invalid,
            format!("case id: {case_id:?} cannot name a transfer"),
        ));
    }

    let matcher = Matcher::bundled();
    let protected_names = analyse_names(&matcher, protected);
    let items = proposal
        .items
        .iter()
        .map(|item| TransferItem {
            item: item.clone(),
            blocks: item_blocks(file, decision, &matcher, &protected_names, item),
            override_by: None,
        })
        .collect();

    let requesting = decision
        .legal_basis
        .as_ref()
        .map_or(request.requesting_state, |b| b.requesting_state);
    let requested = decision
        .legal_basis
        .as_ref()
        .map_or(partners.requested_state(), |b| b.requested_state);
    // The instrument as the decision names it (its id), however the officer wrote it.
    let legal_basis = resolve_basis(decision, partners, &proposal.legal_basis)
        .unwrap_or_else(|| proposal.legal_basis.trim().to_owned());
    let mut blocks = recipient_blocks(
        decision,
        recipient_state,
        requested,
        requesting,
        &legal_basis,
    );
    blocks.extend(text_blocks(&matcher, &protected_names, &proposal.text));

    next.transfers.push(Transfer {
        id: id.clone(),
        recipient: proposal.recipient.trim().to_owned(),
        use_conditions: use_conditions(partners, &legal_basis, requested),
        legal_basis,
        text: proposal.text,
        items,
        blocks,
        proposed: signed,
        approvals: Vec::new(),
        state: TransferState::Proposed,
    });
    Ok((next, id))
}

/// A judge's sorting of a privileged or possibly privileged inventory item.
pub fn sort_item(
    file: &CaseFile,
    item: &str,
    privileged: bool,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<CaseFile, Refusal> {
    require_role(by, Role::Judge, "sort a privileged item")?;
    let Some((_, seized)) = file.seized_items().find(|(_, seized)| seized.id == item) else {
        return Err(Refusal::new(
            RefusalCode::NotFound,
            format!("item: {item} is not in a completed execution record of this case"),
        ));
    };
    if seized.privileged == Privileged::No {
        return Err(Refusal::new(
            RefusalCode::Invalid,
            format!("item: {item} is not marked privileged (yes or possible): nothing to sort"),
        ));
    }
    let mut next = file.clone();
    // A re-sort replaces the earlier one: the latest judicial sorting is the one that counts.
    next.sortings.insert(
        item.to_owned(),
        Sorting {
            privileged,
            by: Signed::new(by, at, reason),
        },
    );
    Ok(next)
}

/// A judge's reasoned override of one blocked item.
pub fn override_item(
    file: &CaseFile,
    transfer: &str,
    item: &str,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<CaseFile, Refusal> {
    require_role(by, Role::Judge, "override a blocked item")?;
    let mut next = file.clone();
    let found = proposed_mut(&mut next, transfer)?;
    let Some(entry) = found.items.iter_mut().find(|i| i.item == item) else {
        return Err(Refusal::new(
            RefusalCode::NotFound,
            format!("item: {item} is not part of transfer {transfer}"),
        ));
    };
    if entry.blocks.is_empty() {
        return Err(Refusal::new(
            RefusalCode::TransferBlocked,
            format!("item: {item} has no block to override"),
        ));
    }
    let fixed: Vec<String> = entry
        .blocks
        .iter()
        .filter(|b| !b.overridable)
        .map(|b| format!("{}: {}", b.reason, b.explanation))
        .collect();
    if !fixed.is_empty() {
        return Err(Refusal::new(
            RefusalCode::TransferBlocked,
            format!(
                "item: {item} cannot be overridden: sort it (a judge, for privilege) or fix the \
                 proposal"
            ),
        )
        .with_details(fixed));
    }
    let sorts = entry
        .blocks
        .iter()
        .any(|b| b.reason == BlockReason::PrivilegeUnsorted);
    let signed = Signed::new(by, at, reason);
    entry.override_by = Some(signed.clone());
    if sorts {
        next.sortings.insert(
            item.to_owned(),
            Sorting {
                privileged: false,
                by: signed,
            },
        );
    }
    Ok(next)
}

/// A judge's approval; the second by another judge sends the transfer (the case moves to
/// `transferred`).
pub fn approve(
    file: &CaseFile,
    transfer: &str,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<(CaseFile, Approval), Refusal> {
    require_role(by, Role::Judge, "approve a transfer")?;
    let mut next = file.clone();
    let found = proposed_mut(&mut next, transfer)?;
    if found.is_blocked() {
        return Err(Refusal::new(
            RefusalCode::TransferBlocked,
            format!("transfer {transfer} is blocked: resolve every block before approving"),
        )
        .with_details(blocked_lines(found)));
    }
    if found.approvals.iter().any(|a| a.actor == by.actor) {
        return Err(Refusal::new(
            RefusalCode::FourEyes,
            format!(
                "approval: {} has already approved transfer {transfer}; another judge must give \
                 the second approval",
                by.actor
            ),
        ));
    }
    let signed = Signed::new(by, at, reason);
    found.approvals.push(signed.clone());
    if found.approvals.len() < 2 {
        return Ok((next, Approval::Recorded));
    }
    found.state = TransferState::Sent;
    let first = found.approvals.first().cloned();
    // Sending is a four-eyes step: its record names the first judge beside the second.
    crate::workflow::record_event(&mut next, CaseEvent::SendTransfer, signed, first)?;
    Ok((next, Approval::Sent))
}

/// Looks a transfer up (for readers); `not_found` refusal if absent.
pub fn find<'f>(file: &'f CaseFile, transfer: &str) -> Result<&'f Transfer, Refusal> {
    file.transfer(transfer).ok_or_else(|| not_found(transfer))
}

fn not_found(transfer: &str) -> Refusal {
    Refusal::new(
        RefusalCode::NotFound,
        format!("transfer: this case has no transfer {transfer}"),
    )
}

/// The transfer, which must still be waiting (a sent transfer takes no more steps).
fn proposed_mut<'f>(file: &'f mut CaseFile, transfer: &str) -> Result<&'f mut Transfer, Refusal> {
    let found = file
        .transfers
        .iter_mut()
        .find(|t| t.id == transfer)
        .ok_or_else(|| not_found(transfer))?;
    if found.state != TransferState::Proposed {
        return Err(Refusal::new(
            RefusalCode::InvalidTransition,
            format!("transfer: {transfer} is {}, not proposed", found.state),
        ));
    }
    Ok(found)
}

/// At least one item, each named once.
fn check_items(items: &[String]) -> Result<(), Refusal> {
    if items.is_empty() {
        return Err(Refusal::new(
            RefusalCode::Invalid,
            "items: a transfer names at least one inventory item",
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = items.iter().find(|item| !seen.insert(item.as_str())) {
        return Err(Refusal::new(
            RefusalCode::Invalid,
            format!("items: {twice} is named twice"),
        ));
    }
    Ok(())
}

/// `CC` or `CC: authority`, CC an ISO 3166-1 alpha-2 code.
fn parse_recipient(recipient: &str) -> Result<CountryCode, Refusal> {
    let (state, authority) = match recipient.split_once(':') {
        Some((state, authority)) => (state, Some(authority)),
        None => (recipient, None),
    };
    if authority.is_some_and(|a| a.trim().is_empty()) {
        return Err(Refusal::new(
            RefusalCode::Invalid,
            format!("recipient: {recipient:?} names no authority after the colon"),
        ));
    }
    let state = state.trim();
    if let Ok(code) = CountryCode::parse(state) {
        return Ok(code);
    }
    // "Prosecutor General's Office (KZ)": a code in brackets at the end names the state too.
    // Codes elsewhere in the words are not guessed at ("at", "in" and "be" are codes).
    let bracketed = state
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once('('))
        .map(|(_, code)| code.trim())
        .filter(|code| code.len() == 2);
    if let Some(code) = bracketed.and_then(|code| CountryCode::parse(code).ok()) {
        return Ok(code);
    }
    state_named_in(recipient).ok_or_else(|| {
        Refusal::new(
            RefusalCode::Invalid,
            format!(
                "recipient: {recipient:?} does not say which one state receives; write \"CC\", \
                 \"CC: authority\" or \"authority (CC)\" with CC an ISO 3166 country code, or \
                 name the state as ISO 3166 does (\"… of Kazakhstan\")"
            ),
        )
    })
}

/// The one state whose ISO 3166 English name the text contains as whole words ("the Prosecutor
/// General's Office of the Republic of Kazakhstan" → kz); none when no state or several are
/// named. The names come from the `isocountry` crate's table rather than a list kept here.
fn state_named_in(text: &str) -> Option<CountryCode> {
    let lower = text.to_lowercase();
    let is_word_edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut named = isocountry::CountryCode::as_array()
        .iter()
        .filter(|country| {
            let name = country.name().to_lowercase();
            lower.match_indices(&name).any(|(at, _)| {
                is_word_edge(lower[..at].chars().next_back())
                    && is_word_edge(lower[at + name.len()..].chars().next())
            })
        })
        .filter_map(|country| CountryCode::parse(country.alpha2()).ok());
    let first = named.next()?;
    named.all(|other| other == first).then_some(first)
}

/// The id of the decision's legal-basis instrument that `written` names: its id, its title or
/// one of the words the partner table cites it by (case and surrounding space aside), or
/// "national law and reciprocity" where that is the basis.
fn resolve_basis(decision: &Decision, partners: &PartnerTable, written: &str) -> Option<String> {
    let basis = decision.legal_basis.as_ref()?;
    let wanted = written.trim().to_lowercase();
    if basis.kind == BasisKind::NationalLawAndReciprocity
        && wanted
            == BasisKind::NationalLawAndReciprocity
                .as_str()
                .replace('_', " ")
    {
        return basis.instruments.first().map(|i| i.id.clone());
    }
    basis
        .instruments
        .iter()
        .find(|instrument| {
            instrument.id.to_lowercase() == wanted
                || instrument.title.to_lowercase() == wanted
                || partners.instrument(&instrument.id).is_some_and(|known| {
                    known
                        .cited_as
                        .iter()
                        .any(|alias| alias.to_lowercase() == wanted)
                })
        })
        .map(|instrument| instrument.id.clone())
}

/// Every name of every protected person, analysed once for all the comparisons.
fn analyse_names<'p>(
    matcher: &Matcher<'_>,
    protected: &'p [ProtectedPerson],
) -> Vec<(&'p ProtectedPerson, Vec<AnalysedName>)> {
    protected
        .iter()
        .map(|person| {
            let names = person.names.iter().map(|n| matcher.analyse(n)).collect();
            (person, names)
        })
        .collect()
}

/// The first name of the person that `name` is a `possible` or better match for, with its tier.
fn names_person(name: &AnalysedName, names: &[AnalysedName]) -> Option<Tier> {
    names
        .iter()
        .map(|known| compare(name, known).tier())
        .filter(|tier| *tier >= Tier::Possible)
        .max()
}

/// The gate's verdict on one item.
fn item_blocks(
    file: &CaseFile,
    decision: &Decision,
    matcher: &Matcher<'_>,
    protected: &[(&ProtectedPerson, Vec<AnalysedName>)],
    item: &str,
) -> Vec<Block> {
    let Some((_, seized)) = file.seized_items().find(|(_, seized)| seized.id == item) else {
        return vec![Block {
            reason: BlockReason::UnknownItem,
            explanation: format!(
                "{item} is not in the inventory of a completed execution record of this case: \
                 only material seized and recorded can be sent (DESIGN §5.5)"
            ),
            overridable: false,
        }];
    };
    let mut blocks = Vec::new();
    if seized.privileged != Privileged::No {
        match file.sortings.get(item) {
            None => blocks.push(Block {
                reason: BlockReason::PrivilegeUnsorted,
                explanation: format!(
                    "{item} is marked privileged: {} and no judge has sorted it; privileged \
                     material may leave only after a judge has sorted it ({PRIVILEGE_SOURCES}): \
                     a judge's reasoned override is that sorting (the item is recorded as not \
                     privileged), or a judge sorts it and the transfer is proposed again",
                    seized.privileged
                ),
                // DESIGN §5.5: a judge may override any blocked item with reasons. For this
                // block the override is the judicial sorting the law asks for, and is recorded
                // as one.
                overridable: true,
            }),
            Some(sorting) if sorting.privileged => blocks.push(Block {
                reason: BlockReason::Privileged,
                explanation: format!(
                    "{item} was sorted privileged by {} on {}: privileged material never leaves \
                     ({PRIVILEGE_SOURCES})",
                    sorting.by.actor, sorting.by.at
                ),
                overridable: false,
            }),
            Some(_) => {}
        }
    }
    let mut concerns = Vec::new();
    if let Some(party) = seized.owner_party {
        for finding in &decision.findings {
            if finding.party == Some(party) && PROTECTION_FINDINGS.contains(&finding.code) {
                let concern = format!("its owner, party {party}, has the finding {}", finding.code);
                if !concerns.contains(&concern) {
                    concerns.push(concern);
                }
            }
        }
    }
    if let Some(owner) = seized.owner_name.as_deref() {
        let analysed = matcher.analyse(owner);
        for (person, names) in protected {
            if let Some(tier) = names_person(&analysed, names) {
                concerns.push(format!(
                    "its owner's name {owner:?} names protected person {} ({tier} tier)",
                    person.record
                ));
            }
        }
    }
    if !concerns.is_empty() {
        blocks.push(Block {
            reason: BlockReason::ProtectedPerson,
            explanation: format!(
                "{item} concerns a protected person or a relative of one ({}): personal data \
                 are not transferred where the person's fundamental rights override the public \
                 interest ({PROTECTED_SOURCES}); a judge may override with reasons",
                concerns.join("; ")
            ),
            overridable: true,
        });
    }
    blocks
}

/// The recipient must be an authority of the requesting state, and the instrument one of the
/// decision's legal basis.
fn recipient_blocks(
    decision: &Decision,
    recipient: CountryCode,
    requested: CountryCode,
    requesting: CountryCode,
    legal_basis: &str,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    if recipient != requesting {
        blocks.push(Block {
            reason: BlockReason::RecipientOutsideBasis,
            explanation: format!(
                "the recipient's state {recipient} is not the requesting state {requesting}: \
                 the request's legal basis allows sending only to the requesting state's \
                 authorities (Law Enforcement Directive (EU) 2016/680 Art 35(1); DESIGN §5.5)"
            ),
            overridable: false,
        });
    }
    let basis: Vec<&str> = decision
        .legal_basis
        .iter()
        .flat_map(|b| b.instruments.iter().map(|i| i.id.as_str()))
        .collect();
    if !basis.contains(&legal_basis.trim()) {
        let listed = if basis.is_empty() {
            "none".to_owned()
        } else {
            basis.join(", ")
        };
        blocks.push(Block {
            reason: BlockReason::RecipientOutsideBasis,
            explanation: format!(
                "{:?} is not an instrument in force between {requested} and {requesting} for \
                 this request: {listed} (the decision's legal basis; DESIGN §5.5)",
                legal_basis.trim()
            ),
            overridable: false,
        });
    }
    blocks
}

/// The covering text goes abroad: no asylum word, no protected person who is not a party.
fn text_blocks(
    matcher: &Matcher<'_>,
    protected: &[(&ProtectedPerson, Vec<AnalysedName>)],
    text: &str,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    let found = crate::leaks(text);
    if !found.is_empty() {
        blocks.push(Block {
            reason: BlockReason::CoveringText,
            explanation: format!(
                "the covering text mentions asylum or protection ({}): nothing sent abroad may \
                 disclose an application for or a grant of protection ({CONFIDENTIALITY_SOURCES})",
                found.join(", ")
            ),
            overridable: false,
        });
    }
    // A protected person who is a party is no text block: items about them are blocked anyway,
    // and the request itself names them.
    let outsiders: Vec<&(&ProtectedPerson, Vec<AnalysedName>)> = protected
        .iter()
        .filter(|(p, _)| p.party.is_none())
        .collect();
    if outsiders.is_empty() {
        return blocks;
    }
    let words = text_words(text);
    let mut named = Vec::new();
    for (person, names) in outsiders {
        let hit = (1..=NAME_WINDOW_WORDS).find_map(|size| {
            words.windows(size).find_map(|window| {
                let phrase = window.join(" ");
                names_person(&matcher.analyse(&phrase), names).map(|tier| (phrase, tier))
            })
        });
        if let Some((phrase, tier)) = hit {
            named.push(format!(
                "{phrase:?} names protected person {} ({tier} tier)",
                person.record
            ));
        }
    }
    if !named.is_empty() {
        blocks.push(Block {
            reason: BlockReason::CoveringText,
            explanation: format!(
                "the covering text names a protected person who is not a party ({}): it would \
                 tell the requesting state of them ({CONFIDENTIALITY_SOURCES}; \
                 {PROTECTED_SOURCES})",
                named.join("; ")
            ),
            overridable: false,
        });
    }
    blocks
}

/// The text's words, without the punctuation around them and a possessive `'s`.
fn text_words(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .map(|word| {
            word.strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word)
        })
        .filter(|word| !word.is_empty())
        .collect()
}

/// The instrument's speciality and data-protection clauses, as they travel with the material
/// (LEGAL-REVIEW §3 "use limitation"), then always the consent needed for onward transfer.
fn use_conditions(
    partners: &PartnerTable,
    legal_basis: &str,
    requested: CountryCode,
) -> Vec<String> {
    let mut conditions: Vec<String> = partners
        .instrument(legal_basis.trim())
        .into_iter()
        .flat_map(|instrument| {
            ["speciality", "data_protection"]
                .into_iter()
                .filter_map(move |name| instrument.clause(name).map(|c| (instrument, c)))
        })
        .map(|(instrument, clause)| match clause.reply.as_deref() {
            Some(sentence) => format!("{} {}: {sentence}", instrument.title, clause.pinpoint),
            None => format!("{} {}", instrument.title, clause.pinpoint),
        })
        .collect();
    if conditions.is_empty() {
        conditions.push(DEFAULT_USE_LIMITATION.to_owned());
    }
    conditions.push(format!(
        "Any further use or onward transfer needs the prior consent of the requested state \
         ({requested})."
    ));
    conditions
}

/// One line per thing that still blocks the transfer, for the `transfer_blocked` refusal.
fn blocked_lines(transfer: &Transfer) -> Vec<String> {
    let items = transfer
        .items
        .iter()
        .filter(|item| item.is_blocked())
        .map(|item| {
            let reasons: Vec<&str> = item.blocks.iter().map(|b| b.reason.as_str()).collect();
            let how = if item.blocks.iter().all(|b| b.overridable) {
                "not overridden; a judge may override it with reasons"
            } else {
                "cannot be overridden"
            };
            format!("{}: {} ({how})", item.item, reasons.join(", "))
        });
    let whole = transfer
        .blocks
        .iter()
        .map(|b| format!("transfer: {}: {}", b.reason, b.explanation));
    items.chain(whole).collect()
}
