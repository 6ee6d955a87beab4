// link_parse (the page's URL hash, typed or pasted by anyone) on any text: never crashes; what it
// accepts is within the ranges the app relies on, parsing is a function of the text alone, and a
// parsed link written out (link_write) parses back to the same text.
#include <string>

#include "app/links/link.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Link s, again;
  const Status st = link_parse(text, &s);
  const Status st2 = link_parse(text, &again);
  FUZZ_CHECK(bool(st) == bool(st2) && st.message == st2.message);
  FUZZ_CHECK(!s.digit || (*s.digit >= 0 && *s.digit <= 99999));
  FUZZ_CHECK(!s.eps || *s.eps >= 1);
  FUZZ_CHECK(!s.grid || (*s.grid >= 3 && *s.grid <= 12));
  FUZZ_CHECK(!s.tiles || (*s.tiles >= 4 && *s.tiles <= 24));
  FUZZ_CHECK(!s.t || (*s.t >= 0 && *s.t <= 1));
  FUZZ_CHECK(!s.temperature || (*s.temperature >= 0 && *s.temperature <= 2.5f));
  FUZZ_CHECK(!s.beta || (*s.beta >= 0 && *s.beta <= 4));
  FUZZ_CHECK(s.model.size() <= 64);
  FUZZ_CHECK(!s.axis0 || (*s.axis0 >= 0 && *s.axis0 <= 4095 && *s.axis1 >= 0 && *s.axis1 <= 4095));
  for (const auto* e : {&s.a, &s.b})
    if (*e) FUZZ_CHECK((*e)->kind == "z" ? !(*e)->z.empty() && (*e)->z.size() <= 4096 : (*e)->z.empty());
  // what was accepted survives a round trip through its text
  const std::string written = link_write(s);
  Link back;
  FUZZ_CHECK(link_parse(written, &back).ok);
  FUZZ_CHECK(link_write(back) == written);
  return 0;
}
