//! The `twinwire` command. Everything it does is in the library's `cli` module (built with the
//! default `cli` feature).

use std::alloc::{GlobalAlloc, Layout, System};

fn main() -> std::process::ExitCode {
    bounded_heap();
    twinwire::cli_main()
}

#[global_allocator]
static ALLOCATOR: SmallAndLarge = SmallAndLarge;

/// Blocks of this size and more are the system allocator's; smaller ones mimalloc's.
const LARGE: usize = 4 << 20;

/// The command's allocator: mimalloc for the small blocks (tens of millions in a run of a
/// million articles, from many threads: 39.7 s of user CPU with glibc alone, 34.3 s with mimalloc),
/// the system's for blocks of 4 MiB and more. Those glibc maps on their own (see [`bounded_heap`]):
/// a large vector grows by `mremap`, without a copy, and is given back to the system when
/// freed, where mimalloc copies it into a new block and keeps the freed one a while (a run of
/// ten million articles at `--memory-limit 4G` then peaked at 5.3 GB). BENCHMARKS.md section
/// 39. Set for the command only: the library leaves its host's allocator as it is.
struct SmallAndLarge;

// SAFETY: each block is freed and grown by the allocator that made it: both sides of the test
// below see the block's size as Rust's allocator interface gives it (the size it was made or
// last grown with), and a block that crosses the bar is moved by `alloc`, a copy and `dealloc`.
unsafe impl GlobalAlloc for SmallAndLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match layout.size() >= LARGE {
            true => huge_pages(System.alloc(layout), layout.size()),
            false => mimalloc::MiMalloc.alloc(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match layout.size() >= LARGE {
            true => huge_pages(System.alloc_zeroed(layout), layout.size()),
            false => mimalloc::MiMalloc.alloc_zeroed(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match layout.size() >= LARGE {
            true => System.dealloc(ptr, layout),
            false => mimalloc::MiMalloc.dealloc(ptr, layout),
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (layout.size() >= LARGE, new_size >= LARGE) {
            (true, true) => huge_pages(System.realloc(ptr, layout, new_size), new_size),
            (false, false) => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
            _ => {
                let moved = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(moved);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

/// Asks the kernel to back a large block with transparent huge pages, where the system leaves
/// that to the program (`madvise` mode, Debian's default): a large vector then faults in 2 MiB
/// at a time, not 4 kB. The advice covers the block's whole mapping, from the page it starts in
/// (glibc's `hugetlb` tunable does the same): advising only a part would split the mapping, and
/// glibc could no longer grow it by `mremap`. `twinwire pairs` of a million took 0.98 of its
/// time so (its system CPU 0.6 of it), with the same peak; an `index add`, whose large tables are
/// touched here and there, 40-100 MB more (BENCHMARKS.md section 39). Returns `block`.
fn huge_pages(block: *mut u8, size: usize) -> *mut u8 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !block.is_null() {
        const PAGE: usize = 4096;
        let start = block as usize & !(PAGE - 1);
        let length = size + (block as usize - start);
        // SAFETY: advice on the pages of a block this process holds; it changes no byte of it.
        unsafe { libc::madvise(start as *mut libc::c_void, length, libc::MADV_HUGEPAGE) };
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = size;
    block
}

/// Blocks of 4 MiB and more are mapped on their own and given back to the system when freed.
/// glibc otherwise raises that bar to 32 MiB as large blocks are freed, and keeps the freed
/// memory of the blocks below it: an `index add` of 10,000 articles into a million then peaked
/// at 570-590 MB of resident memory against 450-470 MB with this setting, for 4% more time
/// (BENCHMARKS.md section 31).
fn bounded_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE as libc::c_int);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block grown and shrunk across the bar keeps its bytes, and is freed by the allocator
    /// that holds it (a mismatch would crash the test binary).
    #[test]
    fn blocks_keep_their_bytes_across_the_bar() {
        let mut v: Vec<u32> = (0..1000).collect();
        v.reserve(LARGE);
        assert!(v.capacity() * 4 >= LARGE);
        assert!(v.iter().copied().eq(0..1000));
        v.extend(1000..(LARGE as u32));
        v.truncate(10);
        v.shrink_to_fit();
        assert_eq!(v, (0..10).collect::<Vec<u32>>());
        let zeroed = vec![0u8; LARGE + 1];
        assert!(zeroed.iter().all(|&b| b == 0));
        let small = vec![0u64; 100];
        assert!(small.iter().all(|&b| b == 0));
    }
}
