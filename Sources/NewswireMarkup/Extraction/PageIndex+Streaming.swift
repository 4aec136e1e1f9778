internal import CLibXML2
import Foundation

extension PageIndex {
    /// Puts the segments of a streamed server render back where the page shows them.
    ///
    /// React's streaming renderer sends the parts of a page that were not ready in the first
    /// flush at the end of `<body>`, each in a `<div hidden id="S:n">`, and a script moves it
    /// to its placeholder: `<template id="B:n">` (a suspense boundary, followed by a loading
    /// fallback up to the comment `/$`) or `<template id="P:n">` (a pending segment). Without
    /// the script the story's later sections are hidden blocks after the footer. Here each
    /// segment's children are moved before their placeholder, and a boundary's fallback goes
    /// into the emptied segment, which stays hidden.
    ///
    /// Nodes are only relinked (parent and sibling pointers), never copied, merged or freed:
    /// the tree is parsed with COMPACT, whose short text nodes must not be edited, and every
    /// node stays in the document, so `xmlFreeDoc` frees it.
    static func placingStreamedSegments(in document: htmlDocPtr, bytes: [UInt8]) {
        guard Self.hasStreamedSegment(bytes) else { return }
        var placeholders: [String: (node: NodePointer, boundary: Bool)] = [:]
        var segments: [(id: String, node: NodePointer)] = []
        var node = document.pointee.children
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name {
                if PageIndex.equals(name, "template"), let id = Self.streamID(of: current, requiringHidden: false),
                    id.hasPrefix("B:") || id.hasPrefix("P:")
                {
                    placeholders[String(id.dropFirst(2))] = (current, id.hasPrefix("B:"))
                } else if PageIndex.equals(name, "div"), let id = Self.streamID(of: current, requiringHidden: true),
                    id.hasPrefix("S:")
                {
                    segments.append((String(id.dropFirst(2)), current))
                }
            }
            if let child = current.pointee.children, current.pointee.type == XML_ELEMENT_NODE {
                node = child
                continue
            }
            var climbing: NodePointer? = current
            while let step = climbing, step.pointee.next == nil { climbing = step.pointee.parent }
            node = climbing?.pointee.next
        }
        for (id, segment) in segments {
            guard let (placeholder, boundary) = placeholders[id], !Self.isInside(placeholder, segment) else {
                continue
            }
            // A fallback that holds the segment itself (markup no renderer writes, but a page
            // can) would be appended inside itself: a cycle cut off from the document, which
            // `xmlFreeDoc` never frees. Then it stays where it is.
            var fallback = boundary ? Self.fallback(after: placeholder) : []
            if fallback.contains(where: { Self.isInside(segment, $0) }) { fallback = [] }
            var child = segment.pointee.children
            while let current = child {
                child = current.pointee.next
                Self.unlink(current)
                Self.insert(current, before: placeholder)
            }
            for current in fallback {
                Self.unlink(current)
                Self.append(current, to: segment)
            }
        }
    }

    /// A cheap look at the bytes before any walk: React writes the segment's opening tag
    /// verbatim. memchr on the rare "S", memcmp on what must surround it.
    private static func hasStreamedSegment(_ bytes: [UInt8]) -> Bool {
        let opening: StaticString = "<div hidden id=\""
        let count = opening.utf8CodeUnitCount
        return bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > count + 1 else { return false }
            var index = count
            let end = buffer.count - 1
            while index < end {
                guard let hit = memchr(base + index, Int32(UInt8(ascii: "S")), end - index) else { return false }
                let found = base.distance(to: UnsafeRawPointer(hit))
                if buffer[found + 1] == UInt8(ascii: ":"), memcmp(base + found - count, opening.utf8Start, count) == 0 {
                    return true
                }
                index = found + 1
            }
            return false
        }
    }

    /// The `id` of a placeholder or segment ("B:3", "S:3"), when it has that shape.
    private static func streamID(of node: NodePointer, requiringHidden: Bool) -> String? {
        var id: String?
        var hidden = false
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            guard let name = attr.pointee.name else { continue }
            if PageIndex.equals(name, "hidden") {
                hidden = true
            } else if PageIndex.equals(name, "id"), let value = attr.pointee.children?.pointee.content,
                value[0] != 0, value[1] == UInt8(ascii: ":")
            {
                id = String(cString: value)
            }
        }
        guard let id, id.count > 2, hidden || !requiringHidden else { return nil }
        return id
    }

    /// The loading fallback after a boundary's placeholder: its siblings up to the comment `/$`
    /// that closes the boundary, past nested boundaries (`$`, `$?`, `$!` … `/$`). None when the
    /// closing comment is not a sibling (the parser nested the markup otherwise): the story
    /// after the placeholder must not be taken for a spinner.
    private static func fallback(after placeholder: NodePointer) -> [NodePointer] {
        var nodes: [NodePointer] = []
        var depth = 0
        var sibling = placeholder.pointee.next
        while let current = sibling {
            if current.pointee.type == XML_COMMENT_NODE, let content = current.pointee.content {
                if content[0] == UInt8(ascii: "$") {
                    depth += 1
                } else if content[0] == UInt8(ascii: "/") && content[1] == UInt8(ascii: "$") && content[2] == 0 {
                    if depth == 0 { return nodes }
                    depth -= 1
                }
            }
            nodes.append(current)
            sibling = current.pointee.next
        }
        return []
    }

    private static func isInside(_ node: NodePointer, _ ancestor: NodePointer) -> Bool {
        var current: NodePointer? = node
        while let step = current {
            if step == ancestor { return true }
            current = step.pointee.parent
        }
        return false
    }

    private static func unlink(_ node: NodePointer) {
        let parent = node.pointee.parent
        if let previous = node.pointee.prev {
            previous.pointee.next = node.pointee.next
        } else {
            parent?.pointee.children = node.pointee.next
        }
        if let next = node.pointee.next {
            next.pointee.prev = node.pointee.prev
        } else {
            parent?.pointee.last = node.pointee.prev
        }
        node.pointee.prev = nil
        node.pointee.next = nil
        node.pointee.parent = nil
    }

    private static func insert(_ node: NodePointer, before target: NodePointer) {
        let parent = target.pointee.parent
        node.pointee.parent = parent
        node.pointee.next = target
        node.pointee.prev = target.pointee.prev
        if let previous = target.pointee.prev { previous.pointee.next = node } else { parent?.pointee.children = node }
        target.pointee.prev = node
    }

    private static func append(_ node: NodePointer, to parent: NodePointer) {
        node.pointee.parent = parent
        node.pointee.prev = parent.pointee.last
        if let last = parent.pointee.last { last.pointee.next = node } else { parent.pointee.children = node }
        parent.pointee.last = node
    }
}
