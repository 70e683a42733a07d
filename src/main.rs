//! The `twinwire` command. Everything it does is in the library's `cli` module (built with the
//! default `cli` feature).

fn main() -> std::process::ExitCode {
    twinwire::cli_main()
}
