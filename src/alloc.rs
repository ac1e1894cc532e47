//! Memory the process gives back: glibc's malloc, by default, raises its mmap threshold after
//! every large free (so later large buffers come from the heap and stay resident after they
//! are freed) and keeps one arena per thread. Decoding allocates on every core and builds
//! large column buffers, so at 10 million events that left gigabytes resident. A fixed mmap
//! threshold and two arenas keep peak memory close to what is live.

/// Call once at start-up, before other threads exist (the binary and the benches do).
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets malloc parameters; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives freed heap memory back to the system now. Between stages that free a lot (the decode's
/// de-duplication set and worker buffers, a processor's intermediates), glibc otherwise keeps it
/// resident, interleaved with live data: at 10 M events 565 MB after decoding.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// This process's resident memory now and its peak so far, in MB (Linux's `/proc/self/status`;
/// zeros elsewhere): what `report -v` logs after each stage and the report bench prints.
pub fn resident_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
