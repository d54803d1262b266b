/// The version of AdaptEval, part of every content key and cache key: results of another
/// version are not reused. Bump it in any change that alters a result.
public enum AdaptEvalVersion {
    public static let current = "0.4.0"
}
