// Model weights in safetensors: PyTorch names and shapes, config in the metadata, bit-exact round
// trips, and every mismatch rejected with its own message.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "fixtures.h"
#include "io/weights.h"

namespace {

VaeParams small_model(Activation act = Activation::tanh) {
  Rng rng(4);
  return tiny_model(tiny_config(12, {8, 6}, 3, act), rng);
}

}  // namespace

TEST_CASE("weights use nn.Linear names and (out, in) shapes", "[weights]") {
  VaeParams p = small_model();
  SafeTensorsFile f = weights_to_safetensors(p, {{"dataset", "mnist"}});
  const SafeTensor* w0 = f.find("encoder.0.weight");
  REQUIRE(w0);
  CHECK(w0->shape == std::vector<int64_t>{8, 12});
  CHECK(f.find("encoder.1.bias")->shape == std::vector<int64_t>{6});
  CHECK(f.find("encoder.mu.weight")->shape == std::vector<int64_t>{3, 6});
  CHECK(f.find("encoder.logvar.bias")->shape == std::vector<int64_t>{3});
  CHECK(f.find("decoder.0.weight")->shape == std::vector<int64_t>{6, 3});
  CHECK(f.find("decoder.2.weight")->shape == std::vector<int64_t>{12, 8});
  CHECK(f.tensors.size() == 14);
  // row-major (out, in): element (1, 2) of encoder.0.weight is W(1, 2)
  CHECK(w0->data[1 * 12 + 2] == p.W(p.encoder[0])(1, 2));
  CHECK(f.meta("config") == R"({"input":12,"hidden":[8,6],"latent":3,"activation":"tanh"})");
  CHECK(f.meta("dataset") == "mnist");
}

TEST_CASE("weights round-trip bit-exactly with config and provenance", "[weights]") {
  VaeParams p = small_model(Activation::relu);
  std::vector<uint8_t> bytes = safetensors_serialize(weights_to_safetensors(p, {{"test_elbo", "-99.5"}}));
  VaeParams q;
  Metadata meta;
  REQUIRE(weights_parse(bytes.data(), bytes.size(), "mem", &q, &meta).ok);
  CHECK(q.config.describe() == p.config.describe());
  REQUIRE(q.size() == p.size());
  CHECK(std::memcmp(q.data.data(), p.data.data(), p.size() * sizeof(float)) == 0);
  bool found = false;
  for (const auto& kv : meta) found |= kv.first == "test_elbo" && kv.second == "-99.5";
  CHECK(found);
}

TEST_CASE("weights with a mismatched or missing part are rejected with their own messages", "[weights]") {
  VaeParams p = small_model();
  struct Case {
    const char* what;
    std::function<void(SafeTensorsFile&)> corrupt;
    const char* message;
  };
  const Case cases[] = {
      {"no config", [](SafeTensorsFile& f) { f.metadata.clear(); }, "no \"config\" in the metadata"},
      {"config not JSON", [](SafeTensorsFile& f) { f.metadata[0].second = "{oops"; }, "config is not a JSON object"},
      {"config latent wrong type", [](SafeTensorsFile& f) { f.metadata[0].second = R"({"input":12,"hidden":[8,6],"latent":"3","activation":"tanh"})"; }, "\"latent\" missing"},
      {"unknown activation", [](SafeTensorsFile& f) { f.metadata[0].second = R"({"input":12,"hidden":[8,6],"latent":3,"activation":"gelu"})"; }, "unknown activation \"gelu\""},
      {"config disagrees with shapes", [](SafeTensorsFile& f) { f.metadata[0].second = R"({"input":12,"hidden":[8,6],"latent":4,"activation":"tanh"})"; }, "has shape [3, 6], config 12-8-6-4-6-8-12 tanh needs [4, 6]"},
      {"missing tensor", [](SafeTensorsFile& f) { f.tensors.erase(f.tensors.begin()); }, "missing tensor \"encoder.0.weight\""},
      {"extra tensor", [](SafeTensorsFile& f) { f.tensors.push_back({"head.weight", "F32", {1}, {0.0f}}); }, "unexpected tensor \"head.weight\""},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    SafeTensorsFile f = weights_to_safetensors(p, {});
    c.corrupt(f);
    std::vector<uint8_t> bytes = safetensors_serialize(f);
    VaeParams q;
    Status st = weights_parse(bytes.data(), bytes.size(), "upload.safetensors", &q, nullptr);
    REQUIRE_FALSE(st.ok);
    CHECK_THAT(st.message, Catch::Contains(c.message));
    CHECK_THAT(st.message, Catch::StartsWith("upload.safetensors: "));
    CHECK(q.size() == 0);  // untouched
  }
}

TEST_CASE("a conditional model's config carries its classes through a weights file", "[weights][cvae]") {
  Rng rng(2);
  const VaeParams p = tiny_model(tiny_config(12, {8}, 2, Activation::relu, 10), rng);
  SafeTensorsFile f = weights_to_safetensors(p, {});
  CHECK(f.meta("config") == R"({"input":12,"hidden":[8],"latent":2,"activation":"relu","classes":10})");
  CHECK(f.find("encoder.0.weight")->shape == std::vector<int64_t>{8, 22});
  CHECK(f.find("decoder.0.weight")->shape == std::vector<int64_t>{8, 12});
  std::vector<uint8_t> bytes = safetensors_serialize(f);
  VaeParams q;
  REQUIRE(weights_parse(bytes.data(), bytes.size(), "mem", &q, nullptr).ok);
  CHECK(q.config.classes == 10);
  CHECK(q.data == p.data);
}

TEST_CASE("weights written as F16 load within half precision of the originals", "[weights]") {
  VaeParams p = small_model();
  std::vector<uint8_t> f32 = safetensors_serialize(weights_to_safetensors(p, {}, "F32"));
  std::vector<uint8_t> f16 = safetensors_serialize(weights_to_safetensors(p, {}, "F16"));
  auto data_bytes = [](const std::vector<uint8_t>& bytes) {
    uint64_t header = 0;
    for (int i = 0; i < 8; ++i) header |= uint64_t(bytes[i]) << (8 * i);
    return bytes.size() - 8 - header;
  };
  CHECK(data_bytes(f32) == 4 * p.size());
  CHECK(data_bytes(f16) == 2 * p.size());
  VaeParams q;
  REQUIRE(weights_parse(f16.data(), f16.size(), "mem", &q, nullptr).ok);
  double worst = 0;
  for (size_t i = 0; i < p.size(); ++i)
    worst = std::max(worst, std::fabs(double(q.data[i]) - p.data[i]) / std::max(1e-3, std::fabs(double(p.data[i]))));
  CHECK(worst < 1e-3);  // 11-bit significand: relative error <= 2^-11
  CHECK(worst > 0);     // and it really was rounded
}

TEST_CASE("a model card updates the metadata of a weights file and keeps its tensors bit for bit", "[weights][card]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vae_card_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "m.safetensors").string();
  VaeParams p = small_model();
  REQUIRE(weights_save(path, p, {{"dataset", "mnist"}, {"test_elbo", "-99.000"}, {"seed", "7"}}, "F16").ok);
  std::vector<uint8_t> before;
  REQUIRE(file_read_all(path, &before).ok);

  SECTION("new keys are appended, existing ones replaced in place, the rest kept") {
    REQUIRE(weights_update_metadata(path, {{"test_elbo", "-98.500"}, {"log_px", "-95.250"}}).ok);
    std::vector<uint8_t> after;
    REQUIRE(file_read_all(path, &after).ok);
    SafeTensorsFile a, b;
    REQUIRE(safetensors_parse(before.data(), before.size(), &a).ok);
    REQUIRE(safetensors_parse(after.data(), after.size(), &b).ok);
    std::vector<std::string> keys;
    for (const auto& kv : b.metadata) keys.push_back(kv.first);
    CHECK(keys == std::vector<std::string>{"config", "dataset", "test_elbo", "seed", "log_px"});
    CHECK(b.meta("config") == a.meta("config"));
    CHECK(b.meta("test_elbo") == "-98.500");
    CHECK(b.meta("log_px") == "-95.250");
    CHECK(b.meta("seed") == "7");
    // the data section (F16 as stored) is the same bytes
    auto data_section = [](const std::vector<uint8_t>& bytes) {
      uint64_t header = 0;
      for (int i = 0; i < 8; ++i) header |= uint64_t(bytes[i]) << (8 * i);
      return std::vector<uint8_t>(bytes.begin() + 8 + static_cast<long>(header), bytes.end());
    };
    CHECK(data_section(after) == data_section(before));
    REQUIRE(b.tensors.size() == a.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) CHECK(b.tensors[i].dtype == "F16");
    VaeParams q;
    Metadata meta;
    REQUIRE(weights_load(path, &q, &meta).ok);
    CHECK(q.config.describe() == p.config.describe());
  }
  SECTION("the config cannot be changed, and a refused update leaves the file as it was") {
    const Status st = weights_update_metadata(path, {{"log_px", "-1"}, {"config", "{}"}});
    CHECK_FALSE(st.ok);
    CHECK(st.message.find("cannot change \"config\"") != std::string::npos);
    std::vector<uint8_t> after;
    REQUIRE(file_read_all(path, &after).ok);
    CHECK(after == before);
  }
  SECTION("a file that is not VAE weights is refused by name and not rewritten") {
    const std::string bad = (dir / "bad.safetensors").string();
    std::vector<uint8_t> truncated(before.begin(), before.begin() + static_cast<long>(before.size() / 2));
    REQUIRE(file_write_atomic(bad, truncated).ok);
    const Status st = weights_update_metadata(bad, {{"log_px", "-1"}});
    CHECK_FALSE(st.ok);
    CHECK(st.message.rfind(bad + ": safetensors: ", 0) == 0);
    std::vector<uint8_t> after;
    REQUIRE(file_read_all(bad, &after).ok);
    CHECK(after == truncated);
    const Status missing = weights_update_metadata((dir / "none.safetensors").string(), {{"log_px", "-1"}});
    CHECK_FALSE(missing.ok);
    CHECK(missing.message.find("none.safetensors") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("the model family's options travel in the config, and a default model's config is as before", "[weights][family]") {
  Rng rng(6);
  VaeConfig c = tiny_config(12, {8, 6}, 3, Activation::elu);
  c.likelihood = Likelihood::gaussian;
  c.posterior_scale = PosteriorScale::softplus;
  c.dropout = 0.1f;
  c.init = Init::xavier;
  c.objective = Objective::iwae;
  c.iwae_k = 50;
  const VaeParams p = tiny_model(c, rng);
  SafeTensorsFile f = weights_to_safetensors(p, {});
  CHECK(f.meta("config") ==
        R"({"input":12,"hidden":[8,6],"latent":3,"activation":"elu","likelihood":"gaussian","decoder_variance":"per_pixel",)"
        R"("posterior_scale":"softplus","dropout":0.1,"init":"xavier","objective":"iwae","iwae_k":50})");
  // the softplus head is named for what it holds; the Gaussian decoder's log-variance is a layer
  CHECK(f.find("encoder.scale.weight"));
  CHECK_FALSE(f.find("encoder.logvar.weight"));
  CHECK(f.find("decoder.logvar.weight")->shape == std::vector<int64_t>{12, 8});
  CHECK(f.find("decoder.logvar.bias")->shape == std::vector<int64_t>{12});
  std::vector<uint8_t> bytes = safetensors_serialize(f);
  VaeParams q;
  REQUIRE(weights_parse(bytes.data(), bytes.size(), "mem", &q, nullptr).ok);
  CHECK(q.config.describe() == p.config.describe());
  CHECK(q.config.dropout == 0.1f);
  CHECK(q.config.iwae_k == 50);
  CHECK(q.data == p.data);
  // a shared log-variance is one value: "decoder.logvar.bias" of shape [1], no weight
  c.variance = DecoderVariance::shared;
  const VaeParams s = tiny_model(c, rng);
  SafeTensorsFile g = weights_to_safetensors(s, {});
  CHECK_FALSE(g.find("decoder.logvar.weight"));
  CHECK(g.find("decoder.logvar.bias")->shape == std::vector<int64_t>{1});
  bytes = safetensors_serialize(g);
  REQUIRE(weights_parse(bytes.data(), bytes.size(), "mem", &q, nullptr).ok);
  CHECK(q.config.variance == DecoderVariance::shared);
  CHECK(q.data == s.data);
  // the default model writes the same config as before the options existed
  CHECK(config_to_json(VaeConfig()) == R"({"input":784,"hidden":[400],"latent":20,"activation":"relu"})");
}

TEST_CASE("a config with an unknown option or value is refused with a message naming it", "[weights][family]") {
  const std::string base = R"({"input":12,"hidden":[8],"latent":3,"activation":"relu")";
  struct Case {
    std::string extra;
    const char* message;
  };
  const Case cases[] = {
      {R"(,"temperature":2})", "unknown option \"temperature\""},
      {R"(,"likelihood":"poisson"})", "unknown likelihood \"poisson\" (bernoulli or gaussian)"},
      {R"(,"likelihood":"gaussian","decoder_variance":"per_image"})", "unknown decoder_variance \"per_image\""},
      {R"(,"decoder_variance":"shared"})", "\"decoder_variance\" needs \"likelihood\": \"gaussian\""},
      {R"(,"posterior_scale":"exp"})", "unknown posterior_scale \"exp\" (logvar or softplus)"},
      {R"(,"objective":"vimco"})", "unknown objective \"vimco\" (elbo or iwae)"},
      {R"(,"init":"he"})", "unknown init \"he\" (pytorch or xavier)"},
      {R"(,"dropout":1.5})", "\"dropout\" is not a number in 0..0.9"},
      {R"(,"dropout":"0.1"})", "\"dropout\" is not a number in 0..0.9"},
      {R"(,"iwae_k":5})", "\"iwae_k\" needs \"objective\": \"iwae\""},
      {R"(,"objective":"iwae","iwae_k":0})", "\"iwae_k\" is not an integer in 1..5000"},
      {R"(,"likelihood":7})", "\"likelihood\" is not a string"},
  };
  for (const Case& c : cases) {
    INFO(c.extra);
    VaeConfig config;
    const Status st = config_from_json(base + c.extra, &config);
    REQUIRE_FALSE(st.ok);
    CHECK_THAT(st.message, Catch::Contains(c.message));
  }
  // and the same through a weights file: refused by name, nothing loaded
  Rng rng(1);
  SafeTensorsFile f = weights_to_safetensors(tiny_model(tiny_config(12, {8}, 3), rng), {});
  f.metadata[0].second = base + R"(,"objective":"iwae","iwae_k":5,"beta_schedule":"cyclic"})";
  const std::vector<uint8_t> bytes = safetensors_serialize(f);
  VaeParams q;
  const Status st = weights_parse(bytes.data(), bytes.size(), "new.safetensors", &q, nullptr);
  CHECK_THAT(st.message, Catch::Equals("new.safetensors: config: unknown option \"beta_schedule\" (not a key this program knows)"));
  CHECK(q.size() == 0);
}
