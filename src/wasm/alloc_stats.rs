//! Allocator figures for the benches (feature `alloc-stats`; never in the npm package):
//! the global allocator wrapped to count the bytes its chunks hold, as talc lays them out,
//! and their high-water mark. bench/browser reads them with `allocStats()` at each phase.

use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use talc::wasm::WasmDynamicTalc;
use wasm_bindgen::prelude::wasm_bindgen;

/// Talc's chunk for `size` bytes: the size plus a word-sized tag, in 16-byte units.
fn chunk(size: usize) -> usize {
    (size + 4 + 15) & !15
}

/// An allocator that counts what `inner` holds.
pub struct Counting {
    inner: WasmDynamicTalc,
    live: AtomicUsize,
    peak: AtomicUsize,
    count: AtomicUsize,
}

impl Counting {
    /// Counts for `inner`, all zero.
    pub const fn new(inner: WasmDynamicTalc) -> Counting {
        Counting {
            inner,
            live: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            count: AtomicUsize::new(0),
        }
    }

    fn grew(&self, bytes: usize) {
        let live = self.live.fetch_add(bytes, Relaxed) + bytes;
        self.peak.fetch_max(live, Relaxed);
    }
}

// SAFETY: forwards every call to talc unchanged; only counts beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.inner.alloc(layout) };
        if !ptr.is_null() {
            self.grew(chunk(layout.size()));
            self.count.fetch_add(1, Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.inner.dealloc(ptr, layout) };
        self.live.fetch_sub(chunk(layout.size()), Relaxed);
        self.count.fetch_sub(1, Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            self.live.fetch_sub(chunk(layout.size()), Relaxed);
            self.grew(chunk(new_size));
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting::new(talc::wasm::new_wasm_dynamic_allocator());

/// `[live bytes, peak bytes, live allocations]` of the heap's chunks; with `reset_peak`
/// the peak starts again from the live figure.
#[wasm_bindgen(js_name = allocStats)]
pub fn alloc_stats(reset_peak: bool) -> Vec<f64> {
    let live = ALLOCATOR.live.load(Relaxed);
    let figures = vec![
        live as f64,
        ALLOCATOR.peak.load(Relaxed) as f64,
        ALLOCATOR.count.load(Relaxed) as f64,
    ];
    if reset_peak {
        ALLOCATOR.peak.store(live, Relaxed);
    }
    figures
}
