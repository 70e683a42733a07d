//! The `twinwire` command: parse the command line, run one subcommand, map the outcome to an exit code
//! (0 done, 2 error). A closed pipe (`twinwire pairs ... | head`) is a normal end.

use std::io;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    // A panic inside the Parquet decoder is caught and reported as a damaged file; say nothing else.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !twinwire::corpus::parquet::in_guarded_read() {
            default_hook(info)
        }
    }));
    let args = match cli::parse_args() {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("twinwire: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
