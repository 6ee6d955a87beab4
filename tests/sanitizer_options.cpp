// Built into every program and test of the sanitized tree (VAE_SANITIZE): a finding exits with 86,
// a code no program uses, so a test that expects a program to fail cannot mistake a sanitizer report
// for the program's own refusal; leaks are reported; UBSan prints where.
extern "C" const char* __asan_default_options() {
  return "exitcode=86:detect_leaks=1:check_initialization_order=1:strict_init_order=1";
}
extern "C" const char* __ubsan_default_options() { return "exitcode=86:halt_on_error=1:print_stacktrace=1"; }
extern "C" const char* __lsan_default_options() { return "exitcode=86"; }
