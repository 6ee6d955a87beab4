// Links to a view of the page (src/app/links): the text a link is written as parses back to the same
// link, only the keys given are written, and bad text is refused with messages naming the keys.
#include <catch2/catch.hpp>

#include "app/links/link.h"

TEST_CASE("link: a written link parses back to the same link", "[link]") {
  Link l;
  l.model = "mnist-z2";
  l.view = "inside";
  l.digit = 3;
  l.eps = 2;
  l.seed = -5;
  l.temperature = 0.75f;
  l.grid = 10;
  l.sample_class = -1;
  l.a = LinkEndpoint{"class", 7, 2, {}};
  l.b = LinkEndpoint{"z", 0, 0, {0.125f, -1.5f}};
  l.t = 0.25f;
  l.slerp = true;
  l.plane = "axes";
  l.axis0 = 1, l.axis1 = 4;
  l.cdf = false;
  l.tiles = 12;
  l.focus = "map";
  l.scale = "projector";
  l.beta = 0.5f;
  const std::string text = link_write(l);
  CHECK(text == "#model=mnist-z2&view=inside&digit=3&eps=2&seed=-5&T=0.75&grid=10&sclass=-1&a=class:7.2&"
                "b=z:0.125,-1.5&t=0.25&slerp=1&plane=axes:1,4&cdf=0&tiles=12&focus=map&scale=projector&beta=0.5");
  Link back;
  REQUIRE(link_parse(text, &back).ok);
  CHECK(back.model == l.model);
  CHECK(back.view == l.view);
  CHECK(*back.digit == 3);
  CHECK(*back.seed == -5);
  CHECK(*back.temperature == 0.75f);
  CHECK(back.a->kind == "class");
  CHECK(back.a->a == 7);
  CHECK(back.a->b == 2);
  CHECK(back.b->z == std::vector<float>{0.125f, -1.5f});
  CHECK(back.plane == "axes");
  CHECK(*back.axis1 == 4);
  CHECK(*back.cdf == false);
  CHECK(link_write(back) == text);
}

TEST_CASE("link: only the keys given are written", "[link]") {
  CHECK(link_write(Link()) == "#");
  Link l;
  l.digit = 0;
  CHECK(link_write(l) == "#digit=0");
}

TEST_CASE("link: unknown keys and bad values are errors naming them, and the good keys still parse", "[link]") {
  Link l;
  const Status s = link_parse("#digit=abc&grid=99&foo=1&seed=4", &l);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("digit=abc is not a valid value") != std::string::npos);
  CHECK(s.message.find("grid=99 is not a valid value") != std::string::npos);
  CHECK(s.message.find("unknown key 'foo'") != std::string::npos);
  CHECK_FALSE(l.digit);
  CHECK_FALSE(l.grid);
  CHECK(*l.seed == 4);
}

TEST_CASE("link: the learning views' keys round-trip, and a bad stage is named", "[link]") {
  Link l;
  REQUIRE(link_parse("#view=step&step=backward&posterior=1&fitq=0&holes=1&decoder=sample&wlayer=decoder&wpage=3"
                     "&focus=weights", &l).ok);
  CHECK(l.view == "step");
  CHECK(l.step == "backward");
  CHECK(*l.posterior);
  CHECK_FALSE(*l.fitq);
  CHECK(*l.holes);
  CHECK(l.decoder == "sample");
  CHECK(l.weights_layer == "decoder");
  CHECK(*l.weights_page == 3);
  CHECK(l.focus == "weights");
  Link back;
  REQUIRE(link_parse(link_write(l), &back).ok);
  CHECK(link_write(back) == link_write(l));
  Link bad;
  const Status s = link_parse("#step=sideways&decoder=median", &bad);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("step=sideways is not a valid value") != std::string::npos);
  CHECK(s.message.find("decoder=median is not a valid value") != std::string::npos);
}
