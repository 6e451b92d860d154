//! Writes `data/lexicon_index.txt`, the index the program loads the bundled lexicon from, from
//! the lexicon text (`data/person_variants.txt`, then `data/diminutives.txt`). Run it after
//! changing either file; a test fails until the index matches them.
//!
//! Run: `cargo run -p haven-names --example index_lexicon`

use std::path::Path;

use anyhow::Context as _;
use haven_names::Lexicon;

fn main() -> anyhow::Result<()> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let read = |name: &str| {
        let path = data.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let lexicon = Lexicon::parse_sources(&read("person_variants.txt")?, &read("diminutives.txt")?);
    let out = data.join("lexicon_index.txt");
    // Written beside and renamed over, so that an interrupted run leaves the old index whole.
    let partial = data.join("lexicon_index.txt.partial");
    std::fs::write(&partial, lexicon.to_index())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &out).with_context(|| format!("cannot replace {}", out.display()))?;
    println!("wrote {} ({} groups)", out.display(), lexicon.group_count());
    Ok(())
}
