#ifndef QTOWN_CLIBXML2_SHIM_H
#define QTOWN_CLIBXML2_SHIM_H

// The libxml2 headers qtown uses. Only Sources/QualityTown/XML imports this module.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#endif
