//! The context network drawn as SVG on the server, and the same network as table rows for
//! screen readers. Pure: a [`ContextNetwork`] in, text out, no I/O, the same output for the same
//! network.
//!
//! Layout: radial by hop distance. The parties sit in the centre (one party: the centre point),
//! persons one hop out on the next ring, two hops out beyond; a hop with more persons than one
//! ring holds continues on the next ring out. Persons on a ring are spread evenly. Readability
//! at 50 persons comes from two distances, [`SPACING`] between neighbours on a ring and
//! [`RING_GAP`] between rings, both at least the diagonal of a person's drawn box (shape and
//! labels): two boxes that overlapped would have centres closer than that. The picture is drawn
//! at its natural size (the page scrolls it) so text stays at 11–12 px on screen.
//!
//! What the picture shows depends only on the network the service returned: a protected marker
//! (a diamond instead of a circle, AND the word "protected") only where `protected ==
//! Some(true)`; parties with a thick border AND the label "party N". Colour never carries
//! meaning alone. No `style=` (the CSP forbids inline styles): presentation attributes only.
//! Every text from the data is escaped with [`escape`].

use std::f64::consts::PI;
use std::fmt::Write as _;

use haven_app::{ContextNetwork, NetworkNode};

/// Least distance between the centres of two persons on one ring.
pub(crate) const SPACING: f64 = 160.0;
/// Radial distance between two rings.
pub(crate) const RING_GAP: f64 = 160.0;
/// The radius of a person's circle (a protected person's diamond reaches as far).
const NODE_RADIUS: f64 = 22.0;
/// Names longer than this (in narrow-character widths) are cut, the full name in `<title>`.
const NAME_WIDTH: usize = 16;
/// Font sizes: names and markers; the findings badge.
const FONT: u32 = 12;
const BADGE_FONT: u32 = 11;
// Readable on screen: no text under 11 px (the picture is drawn at its natural size).
const _: () = assert!(FONT >= 11 && BADGE_FONT >= 11);
/// Room around the outermost ring for the shapes and labels.
const MARGIN: f64 = 90.0;

/// Half the width and height of the box a person takes: the widest label is `NAME_WIDTH`
/// narrow characters of about 0.6 em (a wide character counts two), above the shape the party
/// label, below it the name and the protected marker.
pub(crate) const HALF_BOX_WIDTH: f64 = (NAME_WIDTH as f64) * 0.6 * (FONT as f64) / 2.0 + 4.0;
pub(crate) const BOX_ABOVE: f64 = NODE_RADIUS + 6.0 + FONT as f64 + 2.0;
pub(crate) const BOX_BELOW: f64 = NODE_RADIUS + 2.0 * (FONT as f64 + 3.0) + 4.0;

/// Where a person is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    pub x: f64,
    pub y: f64,
}

/// Escapes text for XML character data and attribute values (either quote).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow at all: one would make the page unparsable.
            c if is_xml_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Roughly how many narrow characters wide a character draws: East Asian wide characters
/// (CJK, Hangul, full-width forms) take two.
fn char_width(c: char) -> usize {
    match c {
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}' => 2,
        _ => 1,
    }
}

/// The name as the picture labels it: at most `NAME_WIDTH` wide, an ellipsis when cut.
pub(crate) fn label(name: &str) -> String {
    let total: usize = name.chars().map(char_width).sum();
    if total <= NAME_WIDTH {
        return name.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in name.chars() {
        // One place left for the ellipsis.
        if width + char_width(c) > NAME_WIDTH - 1 {
            break;
        }
        width += char_width(c);
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// The largest number of persons a ring of `radius` holds `SPACING` apart (the chord between
/// neighbours of n evenly spread is 2r·sin(π/n)).
fn ring_capacity(radius: f64) -> usize {
    if radius <= 0.0 {
        return 1;
    }
    let mut n = 1;
    // The tolerance keeps a ring sized by `radius_for` from losing its last place to rounding.
    while n < 10_000 && 2.0 * radius * (PI / (n + 1) as f64).sin() >= SPACING - 1e-9 {
        n += 1;
    }
    n
}

/// The least radius at which `count` persons are `SPACING` apart on one ring.
fn radius_for(count: usize) -> f64 {
    match count {
        0 | 1 => 0.0,
        // Two persons sit opposite each other.
        2 => SPACING / 2.0,
        n => SPACING / (2.0 * (PI / n as f64).sin()),
    }
}

/// Where each node is drawn, in the network's node order, centred on (0, 0). Nodes are taken
/// hop by hop in the order the service gave them (parties first, then by name).
pub(crate) fn layout(network: &ContextNetwork) -> Vec<Placed> {
    let mut placed = vec![Placed { x: 0.0, y: 0.0 }; network.nodes.len()];
    // Where each person would like to be, clockwise from the top (infinite: no preference).
    let mut bearing = vec![f64::INFINITY; network.nodes.len()];
    let mut outer: Option<f64> = None;
    let max_hops = network.nodes.iter().map(|n| n.hops).max().unwrap_or(0);
    for hop in 0..=max_hops {
        let mut members: Vec<usize> = (0..network.nodes.len())
            .filter(|&i| network.nodes[i].hops == hop)
            .collect();
        if outer.is_some() {
            // Beside the nearer persons they are related to, so that relations stay short and
            // do not cross the picture: by the mean bearing of those already placed.
            let bearings: Vec<f64> = members
                .iter()
                .map(|&i| bearing_of_nearer(network, &placed, i, hop))
                .collect();
            let mut order: Vec<usize> = (0..members.len()).collect();
            order.sort_by(|&a, &b| bearings[a].total_cmp(&bearings[b]).then(a.cmp(&b)));
            for &k in &order {
                bearing[members[k]] = bearings[k];
            }
            members = order.into_iter().map(|k| members[k]).collect();
        }
        let mut rest = &members[..];
        let mut radius = match outer {
            // The first ring sits where all of it fits at once.
            None => radius_for(rest.len()),
            Some(r) => r + RING_GAP,
        };
        while !rest.is_empty() {
            let take = ring_capacity(radius).min(rest.len());
            let (ring, after) = rest.split_at(take);
            let step = 2.0 * PI / ring.len() as f64;
            // The ring turned so that its persons sit as near their bearings as an even spread
            // allows: the circular mean of how far each is from where it would like to be.
            let (sin, cos) = ring
                .iter()
                .enumerate()
                .filter(|&(_, &i)| bearing[i].is_finite())
                .fold((0.0, 0.0), |(s, c), (k, &i)| {
                    let off = bearing[i] - step * k as f64;
                    (s + off.sin(), c + off.cos())
                });
            let turn = if sin == 0.0 && cos == 0.0 {
                0.0
            } else {
                sin.atan2(cos)
            };
            for (k, &i) in ring.iter().enumerate() {
                let angle = -PI / 2.0 + turn + step * k as f64;
                placed[i] = Placed {
                    x: radius * angle.cos(),
                    y: radius * angle.sin(),
                };
            }
            outer = Some(radius);
            rest = after;
            if !rest.is_empty() {
                radius += RING_GAP;
            }
        }
    }
    placed
}

/// The mean bearing, clockwise from the top in [0, 2π), of the persons one hop nearer that node
/// `i` is related to (infinity if none: such a person goes last).
fn bearing_of_nearer(network: &ContextNetwork, placed: &[Placed], i: usize, hop: u8) -> f64 {
    let key = &network.nodes[i].key;
    let (mut x, mut y, mut count) = (0.0, 0.0, 0);
    for edge in &network.edges {
        let other = if &edge.from == key {
            &edge.to
        } else if &edge.to == key {
            &edge.from
        } else {
            continue;
        };
        if let Some(j) = network.nodes.iter().position(|n| &n.key == other)
            && network.nodes[j].hops + 1 == hop
        {
            // Unit vectors, so that a far person does not outweigh a near one.
            let length = (placed[j].x.powi(2) + placed[j].y.powi(2)).sqrt();
            if length > 0.0 {
                x += placed[j].x / length;
                y += placed[j].y / length;
            }
            count += 1;
        }
    }
    if count == 0 {
        return f64::INFINITY;
    }
    if x == 0.0 && y == 0.0 {
        // Related only to the centre: no preferred side.
        return 0.0;
    }
    (y.atan2(x) + PI / 2.0).rem_euclid(2.0 * PI)
}

/// "party 0" or "party 0, 2": the request's index, as the decision and the case page number parties.
pub(crate) fn party_label(node: &NetworkNode) -> Option<String> {
    if node.parties.is_empty() {
        return None;
    }
    let numbers: Vec<String> = node.parties.iter().map(ToString::to_string).collect();
    Some(format!("party {}", numbers.join(", ")))
}

fn coord(value: f64) -> String {
    // One decimal is plenty on screen and keeps the output stable across platforms.
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

/// The network as an SVG element, every text escaped: safe to insert into a page as is.
pub fn render_svg(network: &ContextNetwork) -> String {
    let placed = layout(network);
    let extent = placed
        .iter()
        .map(|p| p.x.abs().max(p.y.abs()))
        .fold(0.0_f64, f64::max);
    let half = extent + MARGIN.max(HALF_BOX_WIDTH.max(BOX_BELOW).max(BOX_ABOVE) + 8.0);
    let size = 2.0 * half;
    let at = |p: &Placed| (p.x + half, p.y + half);
    let mut svg = String::new();

    let parties: Vec<String> = network
        .nodes
        .iter()
        .filter_map(|n| party_label(n).map(|p| format!("{p}: {}", n.name)))
        .collect();
    let mut description = format!(
        "{} persons and {} relations, up to two hops from the request's parties ({}).",
        network.nodes.len(),
        network.edges.len(),
        if parties.is_empty() {
            "no party matched a record".to_owned()
        } else {
            parties.join("; ")
        }
    );
    if network.is_cut() {
        let _ = write!(
            description,
            " {} more persons were left out to keep the picture readable.",
            network.left_out
        );
    }
    if network.shows_protection {
        description.push_str(" Protected persons are drawn as diamonds marked \"protected\".");
    }
    description.push_str(" The table below lists the same persons and relations.");

    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-labelledby=\"network-title network-desc\" width=\"{s}\" height=\"{s}\" \
         viewBox=\"0 0 {s} {s}\" font-family=\"sans-serif\" font-size=\"{FONT}\">",
        s = coord(size)
    );
    let _ = write!(
        svg,
        "<title id=\"network-title\">Context network of case {}</title>\
         <desc id=\"network-desc\">{}</desc>",
        escape(&network.case),
        escape(&description)
    );

    // Relations first, so that persons are drawn over them.
    let index_of = |key: &str| network.nodes.iter().position(|n| n.key == key);
    svg.push_str("<g stroke=\"#6b7280\" stroke-width=\"1.5\">");
    for edge in &network.edges {
        let (Some(a), Some(b)) = (index_of(&edge.from), index_of(&edge.to)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (at(&placed[a]), at(&placed[b]));
        let _ = write!(
            svg,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"><title>{}</title></line>",
            coord(x1),
            coord(y1),
            coord(x2),
            coord(y2),
            escape(&edge.words)
        );
    }
    svg.push_str("</g>");

    for (node, place) in network.nodes.iter().zip(&placed) {
        let (x, y) = at(place);
        let party = party_label(node);
        let protected = node.protected == Some(true);
        let mut title = node.name.clone();
        if let Some(party) = &party {
            let _ = write!(title, " — {party}");
        }
        if let Some(record) = &node.record {
            let _ = write!(title, " — record {record}");
        }
        if protected {
            title.push_str(" — protected");
        }
        if !node.findings.is_empty() {
            let _ = write!(title, " — {} context finding(s)", node.findings.len());
        }
        let _ = write!(svg, "<g class=\"person\"><title>{}</title>", escape(&title));
        let (fill, stroke_width) = match (&party, protected) {
            (Some(_), _) => ("#fde68a", "4"),
            (None, true) => ("#fee2e2", "1.5"),
            (None, false) => ("#e0f2fe", "1.5"),
        };
        if protected {
            let r = NODE_RADIUS;
            let _ = write!(
                svg,
                "<polygon points=\"{},{} {},{} {},{} {},{}\" fill=\"{fill}\" stroke=\"#111827\" \
                 stroke-width=\"{stroke_width}\"/>",
                coord(x),
                coord(y - r),
                coord(x + r),
                coord(y),
                coord(x),
                coord(y + r),
                coord(x - r),
                coord(y)
            );
        } else {
            let _ = write!(
                svg,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"#111827\" \
                 stroke-width=\"{stroke_width}\"/>",
                coord(x),
                coord(y),
                coord(NODE_RADIUS)
            );
        }
        // Labels carry a white halo so that a relation line under them stays readable.
        let halo = "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\"";
        if let Some(party) = &party {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" {halo}>{}</text>",
                coord(x),
                coord(y - NODE_RADIUS - 6.0),
                escape(party)
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" {halo}>{}</text>",
            coord(x),
            coord(y + NODE_RADIUS + FONT as f64 + 2.0),
            escape(&label(&node.name))
        );
        if protected {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" {halo}>protected</text>",
                coord(x),
                coord(y + NODE_RADIUS + 2.0 * (FONT as f64 + 2.0) + 1.0),
            );
        }
        if !node.findings.is_empty() {
            let (bx, by) = (x + NODE_RADIUS * 0.8, y - NODE_RADIUS * 0.8);
            let _ = write!(
                svg,
                "<circle cx=\"{}\" cy=\"{}\" r=\"9\" fill=\"#1f2937\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{BADGE_FONT}\" \
                 fill=\"#ffffff\">{}</text>",
                coord(bx),
                coord(by),
                coord(bx),
                coord(by + 4.0),
                node.findings.len()
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// One row of the network table: a person, what they are to others, their findings, and
/// whether they are a party or (for a role that may know) protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetworkRow {
    pub name: String,
    pub record: Option<String>,
    pub hops: u8,
    pub relations: Vec<String>,
    pub findings: Vec<String>,
    pub party: Option<String>,
    /// "yes"/"no" for a role that may know; `None` otherwise.
    pub protected: Option<&'static str>,
}

/// The table beside the picture, in the picture's order.
pub(crate) fn table_rows(network: &ContextNetwork) -> Vec<NetworkRow> {
    network
        .nodes
        .iter()
        .map(|node| NetworkRow {
            name: node.name.clone(),
            record: node.record.clone(),
            hops: node.hops,
            relations: network
                .edges
                .iter()
                .filter(|e| e.from == node.key || e.to == node.key)
                .map(|e| e.words.clone())
                .collect(),
            findings: node
                .findings
                .iter()
                .map(|f| match &f.date {
                    Some(date) => {
                        format!("{} ({}, {date})", f.what, f.state.as_str().to_uppercase())
                    }
                    None => format!("{} ({})", f.what, f.state.as_str().to_uppercase()),
                })
                .collect(),
            party: party_label(node),
            protected: node.protected.map(|p| if p { "yes" } else { "no" }),
        })
        .collect()
}

/// What the case page's network section shows: the picture and the table of the same network.
#[derive(Debug, Clone)]
pub(crate) struct NetworkSection {
    /// The SVG, every text in it escaped by [`render_svg`]: the one string a template may
    /// insert unescaped.
    pub svg: String,
    pub rows: Vec<NetworkRow>,
    pub left_out: usize,
    pub shows_protection: bool,
}

impl NetworkSection {
    pub(crate) fn of(network: &ContextNetwork) -> NetworkSection {
        NetworkSection {
            svg: render_svg(network),
            rows: table_rows(network),
            left_out: network.left_out,
            shows_protection: network.shows_protection,
        }
    }
}

#[cfg(test)]
mod tests {
    use haven_app::{NetworkEdge, NodeFinding};
    use haven_domain::{CountryCode, RelationKind};

    use super::*;

    fn person(number: usize, name: &str, hops: u8) -> NetworkNode {
        NetworkNode {
            key: format!("n{number}"),
            record: None,
            source: None,
            name: name.to_owned(),
            hops,
            parties: Vec::new(),
            findings: Vec::new(),
            protected: None,
        }
    }

    /// A network of `parties` parties, `near` persons one hop out and `far` two hops out, each
    /// related to one nearer person.
    fn network(parties: usize, near: usize, far: usize) -> ContextNetwork {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (hop, count) in [(0_u8, parties), (1, near), (2, far)] {
            for _ in 0..count {
                let number = nodes.len() + 1;
                let mut node = person(number, &format!("Person Number {number} Longname"), hop);
                if hop == 0 {
                    node.parties = vec![number - 1];
                } else {
                    let nearer: Vec<&NetworkNode> = nodes
                        .iter()
                        .filter(|n: &&NetworkNode| n.hops == hop - 1)
                        .collect();
                    let to = &nearer[number % nearer.len()];
                    edges.push(NetworkEdge {
                        from: node.key.clone(),
                        to: to.key.clone(),
                        kind: RelationKind::Associate,
                        words: format!("{} is {}'s associate", node.name, to.name),
                    });
                }
                nodes.push(node);
            }
        }
        ContextNetwork {
            case: "case-000001".into(),
            nodes,
            edges,
            left_out: 0,
            shows_protection: false,
        }
    }

    fn distance(a: &Placed, b: &Placed) -> f64 {
        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
    }

    #[test]
    fn escape_covers_every_character_that_ends_text_or_an_attribute() {
        assert_eq!(escape("<&\"'>"), "&lt;&amp;&quot;&#39;&gt;");
        assert_eq!(escape("Aslanoğlu Жаксыбекова"), "Aslanoğlu Жаксыбекова");
        assert_eq!(escape("a\u{0}b\u{1b}c"), "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn user_data_is_escaped_everywhere_it_is_drawn() {
        let mut net = network(1, 1, 0);
        net.case = "case<1>".into();
        net.nodes[0].name = "<script>alert('x')</script>".into();
        net.nodes[1].name = "Tom & \"Jerry\"".into();
        net.edges[0].words = "<b>x</b> is y's associate".into();
        let svg = render_svg(&net);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(!svg.contains("case<1>"), "{svg}");
        assert!(svg.contains("Tom &amp; &quot;Jerry&quot;"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            "{svg}"
        );
    }

    #[test]
    fn no_two_persons_overlap_at_fifty_or_sixty() {
        for (parties, near, far) in [
            (3, 10, 37),
            (1, 12, 37),
            (5, 20, 25),
            (2, 28, 30),
            (1, 59, 0),
        ] {
            let net = network(parties, near, far);
            let placed = layout(&net);
            for i in 0..placed.len() {
                for j in i + 1..placed.len() {
                    let d = distance(&placed[i], &placed[j]);
                    assert!(
                        d >= SPACING.min(RING_GAP) - 1e-6,
                        "{parties}/{near}/{far}: persons {i} and {j} are {d:.1} apart"
                    );
                    // The boxes (shape and labels) do not intersect either.
                    let dx = (placed[i].x - placed[j].x).abs();
                    let dy = placed[i].y - placed[j].y;
                    let vertical_clear = if dy >= 0.0 {
                        dy >= BOX_ABOVE + BOX_BELOW
                    } else {
                        -dy >= BOX_ABOVE + BOX_BELOW
                    };
                    assert!(
                        dx >= 2.0 * HALF_BOX_WIDTH || vertical_clear,
                        "{parties}/{near}/{far}: the boxes of {i} and {j} overlap"
                    );
                }
            }
        }
    }

    #[test]
    fn the_spacing_is_wider_than_a_persons_box() {
        // The layout's promise rests on this: boxes closer than their diagonal cannot overlap.
        let diagonal = ((2.0 * HALF_BOX_WIDTH).powi(2) + (BOX_ABOVE + BOX_BELOW).powi(2)).sqrt();
        assert!(SPACING >= diagonal && RING_GAP >= diagonal, "{diagonal}");
    }

    #[test]
    fn rings_go_outward_with_the_hops() {
        let net = network(3, 10, 37);
        let placed = layout(&net);
        let radius = |p: &Placed| (p.x * p.x + p.y * p.y).sqrt();
        let max_of = |hop: u8| {
            net.nodes
                .iter()
                .zip(&placed)
                .filter(|(n, _)| n.hops == hop)
                .map(|(_, p)| radius(p))
                .fold(0.0, f64::max)
        };
        let min_of = |hop: u8| {
            net.nodes
                .iter()
                .zip(&placed)
                .filter(|(n, _)| n.hops == hop)
                .map(|(_, p)| radius(p))
                .fold(f64::MAX, f64::min)
        };
        assert!(max_of(0) < min_of(1) && max_of(1) < min_of(2));
        // A single party sits in the centre.
        assert_eq!(layout(&network(1, 2, 0))[0], Placed { x: 0.0, y: 0.0 });
    }

    #[test]
    fn relatives_are_drawn_on_their_partys_side() {
        // Two parties (top and bottom), three persons related to each.
        let mut net = network(2, 0, 0);
        for (number, party) in (3..=8).zip(["n1", "n1", "n1", "n2", "n2", "n2"]) {
            let node = person(number, &format!("Relative {number}"), 1);
            net.edges.push(NetworkEdge {
                from: node.key.clone(),
                to: party.to_owned(),
                kind: RelationKind::Sibling,
                words: String::new(),
            });
            net.nodes.push(node);
        }
        let placed = layout(&net);
        assert!(placed[0].y < 0.0 && placed[1].y > 0.0, "{placed:?}");
        for (i, place) in placed.iter().enumerate().skip(2) {
            let (own, other) = if i < 5 { (0, 1) } else { (1, 0) };
            assert!(
                distance(place, &placed[own]) < distance(place, &placed[other]),
                "person {i} at {place:?} is nearer the other party: {placed:?}"
            );
        }
    }

    #[test]
    fn parties_are_highlighted_by_border_and_label() {
        let svg = render_svg(&network(2, 1, 0));
        assert_eq!(svg.matches("stroke-width=\"4\"").count(), 2, "{svg}");
        assert!(svg.contains(">party 0</text>"), "{svg}");
        assert!(svg.contains(">party 1</text>"), "{svg}");
        assert!(!svg.contains(">party 2</text>"), "{svg}");
    }

    #[test]
    fn protection_is_drawn_only_when_the_service_says_protected() {
        let mut net = network(1, 2, 0);
        let unknown = render_svg(&net);
        assert!(!unknown.contains("protected"), "{unknown}");
        assert!(!unknown.contains("<polygon"), "{unknown}");

        net.shows_protection = true;
        net.nodes[0].protected = Some(false);
        net.nodes[1].protected = Some(true);
        net.nodes[2].protected = Some(false);
        let known = render_svg(&net);
        // One diamond and one word for the one protected person.
        assert_eq!(known.matches("<polygon").count(), 1, "{known}");
        assert_eq!(known.matches(">protected</text>").count(), 1, "{known}");
        let rows = table_rows(&net);
        assert_eq!(
            rows.iter().map(|r| r.protected).collect::<Vec<_>>(),
            [Some("no"), Some("yes"), Some("no")]
        );
        assert!(
            table_rows(&network(1, 2, 0))
                .iter()
                .all(|r| r.protected.is_none())
        );
    }

    #[test]
    fn long_names_are_cut_with_the_full_name_in_the_title() {
        let mut net = network(1, 0, 0);
        net.nodes[0].name = "Жаксыбекова Алия Сериковна".into();
        let svg = render_svg(&net);
        assert!(svg.contains(">Жаксыбекова Али…</text>"), "{svg}");
        assert!(
            svg.contains("<title>Жаксыбекова Алия Сериковна — party 0</title>"),
            "{svg}"
        );
        assert_eq!(label("Short Name"), "Short Name");
        // Wide characters count double.
        assert_eq!(label("王小明王小明王小明王小明"), "王小明王小明王…");
    }

    #[test]
    fn findings_show_as_a_count_and_in_the_table() {
        let mut net = network(1, 1, 0);
        net.nodes[1].findings = vec![
            NodeFinding {
                what: "recognised political prisoner".into(),
                state: CountryCode::parse("kz").expect("valid"),
                date: Some("2017-11-20".parse().expect("valid")),
            },
            NodeFinding {
                what: "UN arbitrary detention opinion".into(),
                state: CountryCode::parse("kz").expect("valid"),
                date: None,
            },
        ];
        let svg = render_svg(&net);
        assert!(svg.contains("fill=\"#ffffff\">2</text>"), "{svg}");
        assert!(svg.contains("2 context finding(s)"), "{svg}");
        let rows = table_rows(&net);
        assert_eq!(
            rows[1].findings,
            [
                "recognised political prisoner (KZ, 2017-11-20)",
                "UN arbitrary detention opinion (KZ)"
            ]
        );
        assert_eq!(rows[1].relations.len(), 1);
        assert_eq!(rows[0].party.as_deref(), Some("party 0"));
    }

    #[test]
    fn the_same_network_draws_the_same_picture() {
        let net = network(3, 10, 37);
        assert_eq!(render_svg(&net), render_svg(&net.clone()));
        let svg = render_svg(&net);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"network-title network-desc\""));
        assert!(!svg.contains("style="));
        assert!(
            svg.contains("<desc id=\"network-desc\">50 persons and 47 relations"),
            "{svg}"
        );
    }

    #[test]
    fn a_cut_network_says_how_many_were_left_out() {
        let mut net = network(1, 3, 0);
        net.left_out = 12;
        assert!(render_svg(&net).contains("12 more persons were left out"));
    }
}
