/*
 * report_assets.h - the report page's style sheet and its small script, as
 * C strings, so that the page is one self-contained file (no CDN, no
 * network) and the program needs no files beside it.
 */
#ifndef FP_REPORT_ASSETS_H
#define FP_REPORT_ASSETS_H

/* The <style> body. */
extern const char fp_report_css[];

/* The <script> body: the charts' hover read-out (the page is complete
 * without it). */
extern const char fp_report_js[];

#endif
