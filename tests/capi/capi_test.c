/* Uses libsocialdefault.so through its C ABI only, as a C host would: open,
 * rewrite the example shortlist, record the example order, export, verify,
 * and check error reporting and buffer ownership. Prints "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L

#include <socialdefault/socialdefault.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (cond) {                                                         \
      ++passed;                                                         \
    } else {                                                            \
      ++failed;                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                   \
  } while (0)

static char* slurp(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)n + 1);
  if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) exit(2);
  data[n] = '\0';
  fclose(f);
  *size = (size_t)n;
  return data;
}

static void path_of(char* out, size_t size, const char* relative) {
  snprintf(out, size, "%s/%s", SD_SOURCE_DIR, relative);
}

int main(void) {
  char config[4096], mapping[4096], response_path[4096], request_path[4096], order_path[4096], order_response_path[4096];
  path_of(config, sizeof config, "examples/config.xml");
  path_of(mapping, sizeof mapping, "examples/erp/mapping.xml");
  path_of(response_path, sizeof response_path, "examples/erp/shortlist-response.xml");
  path_of(request_path, sizeof request_path, "examples/erp/shortlist-request.xml");
  path_of(order_path, sizeof order_path, "examples/erp/order-request.xml");
  path_of(order_response_path, sizeof order_response_path, "examples/erp/order-response.xml");

  char ledger[] = "/tmp/sd-capi-XXXXXX";
  int fd = mkstemp(ledger);
  CHECK(fd >= 0);
  close(fd);
  unlink(ledger);

  CHECK(strlen(sd_version()) > 0);
  CHECK(strcmp(sd_status_name(SD_TAMPERED), "tampered") == 0);

  /* A broken call reports through sd_error, owned by the caller. */
  sd_engine* engine = NULL;
  sd_error* error = NULL;
  sd_status s = sd_engine_open("no-such-config.xml", mapping, ledger, NULL, &engine, &error);
  CHECK(s != SD_OK);
  CHECK(engine == NULL);
  CHECK(error != NULL);
  CHECK(sd_error_status(error) == s);
  CHECK(strstr(sd_error_message(error), "no-such-config.xml") != NULL);
  sd_error_free(error);
  error = NULL;
  CHECK(sd_engine_open(NULL, NULL, NULL, NULL, &engine, NULL) == SD_INVALID_ARGUMENT);

  s = sd_engine_open(config, mapping, ledger, NULL, &engine, &error);
  if (s != SD_OK) fprintf(stderr, "open: %s\n", sd_error_message(error));
  CHECK(s == SD_OK);
  if (s != SD_OK) {
    sd_error_free(error);
    printf("%d passed, %d failed\n", passed, failed + 1);
    return 1;
  }

  size_t response_size = 0, request_size = 0, order_size = 0, order_response_size = 0;
  char* response = slurp(response_path, &response_size);
  char* request = slurp(request_path, &request_size);
  char* order = slurp(order_path, &order_size);
  char* order_response = slurp(order_response_path, &order_response_size);
  const int64_t at = 1795773600; /* 2026-11-27T10:00:00Z */

  char* out = NULL;
  size_t out_size = 0;
  char* decision = NULL;
  size_t decision_size = 0;
  s = sd_rewrite(engine, response, response_size, request, request_size, at, &out, &out_size, &decision,
                 &decision_size, &error);
  CHECK(s == SD_OK);
  CHECK(out != NULL && out_size > 0);
  CHECK(decision != NULL && strstr(decision, "\"outcome\":\"applied\"") != NULL);
  /* Every supplier of the ERP's list is still there, and the default is social. */
  CHECK(strstr(out, "FLR-100") != NULL);
  CHECK(strstr(out, "FLR-200") != NULL);
  CHECK(strstr(out, "FLR-300") != NULL);
  CHECK(strstr(out, "BLOEM-01") != NULL);
  CHECK(strstr(out, "BLOEM-02") != NULL);
  CHECK(strstr(decision, "\"default_supplier\":\"BLOEM-") != NULL);
  CHECK(strstr(decision, "requester") == NULL || strstr(decision, "requester_pseudonym") != NULL);
  sd_buffer_free(out);
  sd_buffer_free(decision);

  /* Something that is not XML fails open: the same bytes come back. */
  const char junk[] = "this is not xml";
  out = NULL;
  s = sd_rewrite(engine, junk, sizeof junk - 1, NULL, 0, at, &out, &out_size, NULL, NULL, &error);
  CHECK(s == SD_OK);
  CHECK(out_size == sizeof junk - 1 && memcmp(out, junk, out_size) == 0);
  sd_buffer_free(out);

  size_t recorded = 0;
  s = sd_record(engine, order, order_size, order_response, order_response_size, at + 60, &recorded, &error);
  if (s != SD_OK) fprintf(stderr, "record: %s\n", sd_error_message(error));
  CHECK(s == SD_OK);
  CHECK(recorded == 1);

  out = NULL;
  s = sd_export(engine, "2026-11-01", "2026-11-30", "department,category", "csv", &out, &out_size, &error);
  CHECK(s == SD_OK);
  CHECK(out != NULL && strstr(out, "03121200-7") != NULL);
  sd_buffer_free(out);

  out = NULL;
  s = sd_export(engine, "2026-11-01", "2026-11-30", "no-such-key", "csv", &out, &out_size, &error);
  CHECK(s == SD_INVALID_ARGUMENT);
  CHECK(out == NULL);
  sd_error_free(error);
  error = NULL;

  /* The experiment report: the example's catering experiment with its four
   * arms, none with orders yet; an id the configuration lacks is not found. */
  out = NULL;
  s = sd_experiments_report(engine, "catering-2027", "json", &out, &out_size, &error);
  if (s != SD_OK) fprintf(stderr, "experiments: %s\n", sd_error_message(error));
  CHECK(s == SD_OK);
  CHECK(out != NULL && out_size == strlen(out));
  CHECK(out != NULL && strstr(out, "catering-2027") != NULL);
  CHECK(out != NULL && strstr(out, "\"control\"") != NULL && strstr(out, "\"norm\"") != NULL);
  sd_buffer_free(out);

  out = NULL;
  s = sd_experiments_report(engine, "no-such-experiment", "csv", &out, &out_size, &error);
  CHECK(s == SD_NOT_FOUND);
  CHECK(out == NULL);
  CHECK(error != NULL && sd_error_status(error) == SD_NOT_FOUND);
  CHECK(error != NULL && strstr(sd_error_message(error), "experiment \"no-such-experiment\" is not in the "
                                                         "configuration") != NULL);
  sd_error_free(error);
  error = NULL;
  CHECK(sd_experiments_report(engine, NULL, NULL, &out, &out_size, NULL) == SD_INVALID_ARGUMENT);

  char* report = NULL;
  size_t report_size = 0;
  s = sd_verify(engine, &report, &report_size, &error);
  CHECK(s == SD_OK);
  CHECK(report != NULL && strstr(report, "\"intact\":true") != NULL);
  sd_buffer_free(report);

  sd_engine_close(engine);
  free(response);
  free(request);
  free(order);
  free(order_response);
  unlink(ledger);
  char side[4200];
  snprintf(side, sizeof side, "%s-wal", ledger);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", ledger);
  unlink(side);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
