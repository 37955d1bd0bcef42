//! Builds the separately built programs the test images embed: `programs/report` becomes the executable at
//! `env!("SELKIE_PROGRAM_REPORT")`, `programs/child` the one at `env!("SELKIE_PROGRAM_CHILD")` (see
//! selkie_build).

fn main() {
    let programs = [
        ("programs/report", "report", "SELKIE_PROGRAM_REPORT"),
        ("programs/child", "child", "SELKIE_PROGRAM_CHILD"),
    ];
    for (dir, bin, env) in programs {
        if let Err(e) = selkie_build::embed_program(dir, bin, env) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
