//! The `twinwire` command. Everything it does is in the library's `cli` module (built with the
//! default `cli` feature).

fn main() -> std::process::ExitCode {
    bounded_heap();
    twinwire::cli_main()
}

/// Blocks of 4 MiB and more are mapped on their own and given back to the system when freed.
/// glibc otherwise raises that bar to 32 MiB as large blocks are freed, and keeps the freed
/// memory of the blocks below it: an `index add` of 10,000 articles into a million then peaked
/// at 570-590 MB of resident memory against 450-470 MB with this setting, for 4% more time
/// (BENCHMARKS.md section 31). Set for the command only: the library leaves its host's
/// allocator as it is.
fn bounded_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}
