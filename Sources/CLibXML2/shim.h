#ifndef NEWSWIRE_CLIBXML2_SHIM_H
#define NEWSWIRE_CLIBXML2_SHIM_H

// Debian's libxml2 headers pull in the system ICU headers, which clash with
// Foundation's private ICU module ("'UErrorCode' has different definitions in
// different modules"). Read the version header first, then switch ICU off:
// that only drops two trailing fields of xmlCharEncodingHandler, a struct we
// never allocate from Swift.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/encoding.h>
#include <libxml/uri.h>
#include <libxml/xmlsave.h>
#include <libxml/entities.h>
#include <libxml/SAX2.h>

/// `xmlFree` is a mutable C global that Swift 6 rejects; call through this.
static inline void clibxml2_free(void *pointer) { xmlFree(pointer); }

/// The dotted version string, since `xmlParserVersion` is a macro.
static inline const char *clibxml2_version(void) { return LIBXML_DOTTED_VERSION; }

/// Silences libxml2's generic error printer for this thread (we collect
/// errors through the parser context instead).
static void clibxml2_ignore_error(void *context, const char *message, ...) {
    (void)context; (void)message;
}
static inline void clibxml2_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, clibxml2_ignore_error);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

#endif
