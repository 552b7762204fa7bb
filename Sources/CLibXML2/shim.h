#ifndef QTOWN_CLIBXML2_SHIM_H
#define QTOWN_CLIBXML2_SHIM_H

// The libxml2 headers qtown uses. Only Sources/QualityTown/XML imports this module.
#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, so <libxml/encoding.h> would include the system's
// <unicode/ucnv.h>, whose types clash with the ICU copy inside Swift's Foundation
// (_FoundationICU) in any module that sees both. qtown only passes encoding handlers around as
// pointers and never reads their ICU fields, so the ICU parts of the headers are left out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>


// libxml2 also prints some messages through its *generic* error function, a C variadic
// function pointer that Swift cannot create. This no-op handler, installed while qtown parses,
// keeps libxml2 from writing to stderr; every message still reaches qtown through the
// structured error hook (xmlSetStructuredErrorFunc), which Swift can set directly.
static void qtown_xml_ignore_generic(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static inline void qtown_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, qtown_xml_ignore_generic);
}


// xmlFree is a global function-pointer *variable* in libxml2; Swift 6 refuses to touch shared
// mutable globals from concurrent code, so strings libxml2 hands back are freed through here.
static inline void qtown_xml_free(void *p) {
    xmlFree(p);
}

#endif
