//! Builds the separately built programs the test images embed: `programs/report` becomes the executable at
//! `env!("SELKIE_PROGRAM_REPORT")` (see selkie_build).

fn main() {
    if let Err(e) = selkie_build::embed_program("programs/report", "report", "SELKIE_PROGRAM_REPORT") {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
