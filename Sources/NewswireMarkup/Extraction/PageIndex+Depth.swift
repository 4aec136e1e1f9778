internal import CLibXML2

extension PageIndex {
    /// The deepest element nesting the extractor reads. Its tree walks recurse once a
    /// level; 512 levels keep them well inside a thread's stack, and are twice what
    /// libxml2 itself allows without XML_PARSE_HUGE.
    static let maxDepth = 512

    /// The depth reached once it passes `limit`, else `nil`. Walks the tree without
    /// recursion (first child, next sibling, parent), so any depth is safe here.
    static func depthExceeding(_ limit: Int, in document: htmlDocPtr) -> Int? {
        var node = document.pointee.children
        var depth = 1
        while let current = node {
            if depth > limit { return depth }
            if let child = current.pointee.children, current.pointee.type == XML_ELEMENT_NODE {
                node = child
                depth += 1
                continue
            }
            var climbing: xmlNodePtr? = current
            while let step = climbing, step.pointee.next == nil {
                climbing = step.pointee.parent
                depth -= 1
                if climbing == nil
                    || climbing == UnsafeMutableRawPointer(document).assumingMemoryBound(to: xmlNode.self)
                {
                    return nil
                }
            }
            node = climbing?.pointee.next
        }
        return nil
    }
}
