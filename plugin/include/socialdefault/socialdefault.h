/* socialdefault C ABI.
 *
 * Lifetimes: an engine (one per process or per host configuration) is opened
 * from a configuration, a mapping and a ledger file and is safe to use from
 * several threads; every other call is one message.
 *
 * Conventions: every function returns an sd_status (SD_OK is 0). Details of a
 * failure come through the optional sd_error** argument (pass NULL to ignore
 * them); an error returned that way is owned by the caller and freed with
 * sd_error_free. Buffers returned through char** are owned by the caller and
 * freed with sd_buffer_free. No function lets a C++ exception escape. */
#ifndef SOCIALDEFAULT_H
#define SOCIALDEFAULT_H

#include <stddef.h>
#include <stdint.h>

#if defined(SD_BUILDING_LIBRARY)
#define SD_API __attribute__((visibility("default")))
#else
#define SD_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sd_status {
  SD_OK = 0,
  SD_INVALID_ARGUMENT = 1, /* NULL where a value is needed, bad format name, bad date */
  SD_CONFIG = 2,           /* the configuration or mapping is invalid */
  SD_XML = 3,              /* the message is not acceptable XML (DOCTYPE, encoding, limits) */
  SD_UNSUPPORTED = 4,      /* the message is not what the call expects */
  SD_MAPPING = 5,          /* the message lacks what the mapping requires */
  SD_SIGNED_CONTENT = 6,   /* the part to change is covered by an XML signature */
  SD_IO = 7,
  SD_DATABASE = 8,         /* ledger error */
  SD_CRYPTO = 9,
  SD_TAMPERED = 10,        /* verification found an altered ledger */
  SD_NOT_FOUND = 11,
  SD_INTERNAL = 12,
  SD_NO_MEMORY = 13
} sd_status;

typedef struct sd_engine sd_engine;
typedef struct sd_error sd_error;

/* "0.1.0"; static storage. */
SD_API const char* sd_version(void);
/* "ok", "config", ...; static storage. */
SD_API const char* sd_status_name(sd_status status);

SD_API sd_status sd_error_status(const sd_error* error);
/* The complete message ("config.xml:42: category ...: ..."); owned by error. */
SD_API const char* sd_error_message(const sd_error* error);
/* Where it happened ("config.xml:42", "byte 120") or ""; owned by error. */
SD_API const char* sd_error_where(const sd_error* error);
SD_API void sd_error_free(sd_error* error);

SD_API void sd_buffer_free(char* buffer);

/* Opens an engine. adapter may be NULL for "soap". On success *engine is
 * set and must be closed with sd_engine_close. */
SD_API sd_status sd_engine_open(const char* config_path, const char* mapping_path, const char* ledger_path,
                                const char* adapter, sd_engine** engine, sd_error** error);
SD_API void sd_engine_close(sd_engine* engine);

/* Rewrites a shortlist response. request may be NULL (request_size 0). at is
 * the time of the message in Unix seconds, 0 for now. Returns SD_OK with the
 * bytes to pass on in *out: the rewritten message, or the original bytes when
 * socialdefault failed open. *decision_json (optional, may be NULL) receives
 * the decision and outcome as JSON. Both buffers are freed with
 * sd_buffer_free. A status other than SD_OK means only that the arguments
 * were unusable or memory ran out. */
SD_API sd_status sd_rewrite(sd_engine* engine, const char* response, size_t response_size, const char* request,
                            size_t request_size, int64_t at, char** out, size_t* out_size, char** decision_json,
                            size_t* decision_json_size, sd_error** error);

/* Records the order in request (the ERP's response optional, NULL when
 * absent) durably in the ledger. *recorded (optional) receives the number of
 * order lines recorded: 0 when the ERP refused the order. */
SD_API sd_status sd_record(sd_engine* engine, const char* request, size_t request_size, const char* response,
                           size_t response_size, int64_t at, size_t* recorded, sd_error** error);

/* Exports the MVI figures for [from, to] (YYYY-MM-DD, the organisation's
 * dates). group_by is a comma-separated list of department, category,
 * supplier, month, quarter, arm (experiment/arm), or NULL/"" for totals;
 * format is "csv", "xml" or "json". */
SD_API sd_status sd_export(sd_engine* engine, const char* from, const char* to, const char* group_by,
                           const char* format, char** out, size_t* out_size, sd_error** error);

/* Verifies the ledger's chain. *report receives a JSON report; the status is
 * SD_TAMPERED when a row was altered, removed or inserted. */
SD_API sd_status sd_verify(sd_engine* engine, char** report, size_t* report_size, sd_error** error);

/* Experiments (docs/nudges.md). */

/* The experiment report, as `socialdefault experiments` and GET
 * /admin/experiments give it: per arm the orders, the social share with its
 * 95 % Wilson interval, the difference to the control arm with its 95 %
 * Newcombe interval and the orders still needed to detect the experiment's
 * minimum effect, over the experiment's own days. experiment is the id of one
 * <experiment>, or NULL/"" for every experiment of the configuration; an id
 * the configuration lacks is SD_NOT_FOUND. format is "json", "csv" or "xml".
 * *out is freed with sd_buffer_free. */
SD_API sd_status sd_experiments_report(sd_engine* engine, const char* experiment, const char* format, char** out,
                                       size_t* out_size, sd_error** error);

/* --- Hosts that read their own documents (an ERP module in-process) ---
 * An ERP that calls the library from its own code has no SOAP message to
 * rewrite: it knows the product's category and the candidate suppliers. These
 * two calls are the protocol-neutral phases of sd_rewrite and sd_record, with
 * JSON in and out; adapter_name (e.g. "tryton") is recorded with each row,
 * NULL or "" for "host". An error names the JSON field in sd_error_where
 * ("shortlist.candidates[1].supplier_id"). See docs/tryton.md. */

/* Decides the default among candidates and queues the offer (written in the
 * background, like sd_rewrite's). shortlist_json is an object:
 *   {"correlation_id": "...", "category": {"code_system": "CPV", "code": "03121200-7"},
 *    "requester": "...", "department": "...", "language": "nl",
 *    "candidates": [{"supplier_id": "BLOEM-01", "name": "...", "price": "12.50",
 *                    "currency": "EUR", "preselected": false,
 *                    "identifiers": [{"scheme": "kvk", "value": "70000001"}]}]}
 * Only category.code and each candidate's supplier_id are required; price
 * needs currency. *decision_json receives the decision in sd_rewrite's JSON
 * (outcome, reason, default_supplier, order, notes, ...); free it with
 * sd_buffer_free. A configured social supplier missing from the candidates
 * is in "order" with "injected": true. */
SD_API sd_status sd_offer(sd_engine* engine, const char* shortlist_json, size_t shortlist_json_size,
                          const char* adapter_name, int64_t at, char** decision_json, size_t* decision_json_size,
                          sd_error** error);

/* Records order lines durably in the ledger, each linked to the offer of its
 * correlation_id. lines_json is an array of objects:
 *   [{"correlation_id": "...", "order_ref": "...", "line": 1,
 *     "category": {"code_system": "CPV", "code": "03121200-7"}, "requester": "...",
 *     "department": "...", "supplier_id": "BLOEM-02", "identifiers": [...],
 *     "amount": "25.00", "currency": "EUR", "description": "...", "accepted": true}]
 * Only category.code and supplier_id are required; amount needs currency.
 * *recorded (optional) receives the number of lines recorded (accepted ones);
 * *records_json (optional) an array with, per recorded line, correlation_id,
 * line, chosen_supplier, default_offered, social and outcome ("kept-default",
 * "other-social", "regular", "not-offered"). */
SD_API sd_status sd_record_choices(sd_engine* engine, const char* lines_json, size_t lines_json_size,
                                   const char* adapter_name, int64_t at, size_t* recorded, char** records_json,
                                   size_t* records_json_size, sd_error** error);

#ifdef __cplusplus
}
#endif

#endif /* SOCIALDEFAULT_H */
