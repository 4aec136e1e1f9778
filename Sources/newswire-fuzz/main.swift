// newswire-fuzz TARGET [libFuzzer arguments | FILE...]
//
// Built with `swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING`
// (scripts/fuzz), it runs libFuzzer on one target. Built plainly, it replays the files or
// folders given, so a crash input can be run again under a debugger.
import CLibFuzzer
import Foundation
import NewswireMarkup

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    FileHandle.standardError.write(Data("usage: newswire-fuzz \(names) [arguments…]\n".utf8))
    exit(64)
}
LibXML2.initialize()
selectedTarget = target

#if FUZZING
// libFuzzer sees the arguments after the target's name.
var cArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) }
cArguments.append(nil)
var count = Int32(cArguments.count - 1)
let status = cArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&count, &pointer, runSelectedTarget)
}
exit(status)
#else
var replayed = 0
for path in arguments.dropFirst(2) {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
    let files =
        isFolder.boolValue
        ? (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String }.map { path + "/" + $0 } ?? [])
        : [path]
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { continue }
        target.run([UInt8](data))
        replayed += 1
    }
}
print("newswire-fuzz \(target.rawValue): replayed \(replayed) inputs")
#endif
