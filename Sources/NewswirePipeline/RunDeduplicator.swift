import NewswireCore
import NewswireDedup

/// Emits each canonical URL once per run and gives every article its stable `id`.
///
/// Confined to the sink queue.
struct RunDeduplicator {
    enum Decision {
        case new
        /// An article with the same canonical URL was already emitted in this run.
        case repeatedURL
    }

    private var seen = Set<String>()

    mutating func decide(_ article: inout Article) -> Decision {
        article.id = ArticleIdentity.id(forCanonicalURL: article.url)
        article.revision = article.revision ?? 1
        return self.seen.insert(article.url).inserted ? .new : .repeatedURL
    }
}
