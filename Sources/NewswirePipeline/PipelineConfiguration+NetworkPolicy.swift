public import NewswireCore

extension PipelineConfiguration {
    /// The fetch options with ``allowNetworks`` opened in their network policy.
    ///
    /// Blocks that do not parse were refused when the pipeline file or the command line
    /// was read; any left here are skipped.
    public var effectiveFetchOptions: FetchOptions {
        var options = self.fetch
        options.networkPolicy.allowed += self.allowNetworks.compactMap(CIDR.init)
        return options
    }
}
