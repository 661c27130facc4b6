/* A minimal host that runs socialdefault in-process through its C API: it
 * opens an engine, passes the ERP's shortlist response through sd_rewrite
 * and writes the message to pass on to stdout, the decision to stderr.
 *
 *   sd_example_host --version
 *   sd_example_host CONFIG MAPPING LEDGER RESPONSE [REQUEST] > rewritten.xml
 *
 * A real host (an ERP connector, an ESB step) keeps one engine open for the
 * life of the process and calls sd_rewrite for every shortlist and sd_record
 * for every accepted order. Built with CMake (CMakeLists.txt, find_package)
 * or with pkg-config (Makefile). */
#include <socialdefault/socialdefault.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file; NULL (and a message) when it cannot. */
static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "sd_example_host: cannot open %s\n", path);
    return NULL;
  }
  char* data = NULL;
  size_t used = 0;
  size_t capacity = 0;
  for (;;) {
    if (used == capacity) {
      capacity = capacity == 0 ? 65536 : capacity * 2;
      char* grown = realloc(data, capacity);
      if (grown == NULL) {
        free(data);
        fclose(f);
        fprintf(stderr, "sd_example_host: out of memory reading %s\n", path);
        return NULL;
      }
      data = grown;
    }
    size_t n = fread(data + used, 1, capacity - used, f);
    used += n;
    if (n == 0) break;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    fprintf(stderr, "sd_example_host: cannot read %s\n", path);
    return NULL;
  }
  *size = used;
  return data;
}

/* Prints a failed call's status and message and frees the error. */
static int report(const char* what, sd_status status, sd_error* error) {
  fprintf(stderr, "sd_example_host: %s: %s: %s\n", what, sd_status_name(status),
          error != NULL ? sd_error_message(error) : "");
  sd_error_free(error);
  return 2;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("%s\n", sd_version());
    return 0;
  }
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: sd_example_host CONFIG MAPPING LEDGER RESPONSE [REQUEST]\n"
                    "       sd_example_host --version\n");
    return 1;
  }
  size_t response_size = 0;
  size_t request_size = 0;
  char* response = read_file(argv[4], &response_size);
  char* request = argc == 6 ? read_file(argv[5], &request_size) : NULL;
  if (response == NULL || (argc == 6 && request == NULL)) {
    free(response);
    free(request);
    return 2;
  }

  int exit_code = 0;
  sd_engine* engine = NULL;
  sd_error* error = NULL;
  sd_status status = sd_engine_open(argv[1], argv[2], argv[3], NULL, &engine, &error);
  if (status != SD_OK) {
    exit_code = report("sd_engine_open", status, error);
  } else {
    char* out = NULL;
    size_t out_size = 0;
    char* decision = NULL;
    size_t decision_size = 0;
    /* at = 0: the message is from now. */
    status = sd_rewrite(engine, response, response_size, request, request_size, 0, &out, &out_size, &decision,
                        &decision_size, &error);
    if (status != SD_OK) {
      exit_code = report("sd_rewrite", status, error);
    } else {
      fwrite(out, 1, out_size, stdout);
      fprintf(stderr, "socialdefault %s: %.*s\n", sd_version(), (int)decision_size, decision);
    }
    sd_buffer_free(out);
    sd_buffer_free(decision);
    sd_engine_close(engine);
  }
  free(response);
  free(request);
  return exit_code;
}
