//! The `haven` binary: parses arguments, calls the library crates, and decides exit codes in one
//! place. No screening, policy or storage logic lives here.

mod commands;

use std::process::ExitCode;

use clap::Parser;

// Name analysis makes many small, short-lived allocations; mimalloc serves them faster than the
// system allocator (about a fifth of the pairwise scoring time, measured in benches/pairwise.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`haven … | head`) is not a failure of Haven's.
            if err
                .chain()
                .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
                .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
