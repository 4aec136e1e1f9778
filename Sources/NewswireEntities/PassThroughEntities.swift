public import NewswireCore

/// An entity stage that finds nothing, for pipelines that switch entity extraction off.
public struct NoEntityExtraction: EntityExtracting {
    public init() {}

    public func extractEntities(title: String?, text: String) -> [Entity] { [] }
}
