import CBLAS

#if canImport(Glibc)
    import Glibc
#endif

/// Which OpenBLAS kernel family runs, and the fix for CPUs that OpenBLAS does not recognise.
///
/// OpenBLAS picks its kernels once, when the library loads, from the CPU model number. Debian
/// 12's OpenBLAS 0.3.21 does not know recent Xeons (model 207, Emerald Rapids, among them) and
/// falls back to the SSE3 "Prescott" kernels, which run sgemm about 3× slower than the
/// AVX-512 "SkylakeX" kernels the CPU supports. The only switch is the `OPENBLAS_CORETYPE`
/// environment variable read at load time, so the command-line tool re-executes itself with
/// it set (see `adapteval`'s entry point) when that would help.
public enum BLASRuntime {
    /// The kernel family OpenBLAS chose, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The kernel family to request instead of OpenBLAS's own choice, or nil to keep it.
    ///
    /// Only a generic fallback is overridden, only when the user has not set
    /// `OPENBLAS_CORETYPE`, and only with a family whose instructions the CPU reports.
    public static func recommendedCoreOverride() -> String? {
        guard getenv("OPENBLAS_CORETYPE") == nil else { return nil }
        let fallbacks: Set<String> = ["Prescott", "Core2", "Nehalem", "Sandybridge", "Atom", "Katmai"]
        guard fallbacks.contains(coreName) else { return nil }
        let flags = cpuFlags()
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) {
            return "SkylakeX"
        }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// The instruction-set flags of the first processor in /proc/cpuinfo (empty elsewhere).
    static func cpuFlags() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                let values = text.split(separator: ":", maxSplits: 1).last ?? ""
                return Set(values.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            }
        }
        return []
    }
}
