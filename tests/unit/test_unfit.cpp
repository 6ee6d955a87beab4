// Files that parse but do not fit: a config checked against the tensors present before anything is
// allocated, an upload checked from its first bytes, checkpoints and classifiers whose fields are out
// of range, and the strict number parsing behind every flag. Each refused with its own message.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "fixtures.h"
#include "io/numbers.h"
#include "io/png.h"
#include "io/weights.h"
#include "train/checkpoint.h"
#include "train/classifier_train.h"

namespace {

std::vector<uint8_t> weights_bytes(const VaeConfig& c, const std::string& dtype = "F32") {
  Rng rng(3);
  return safetensors_serialize(weights_to_safetensors(tiny_model(c, rng), {}, dtype));
}

// A weights file with this config text in its metadata and no tensors at all.
std::vector<uint8_t> config_only(const std::string& config) {
  SafeTensorsFile f;
  f.metadata.push_back({"config", config});
  return safetensors_serialize(f);
}

// A checkpoint of a tiny trained model, with one field of its "checkpoint" metadata replaced.
std::vector<uint8_t> checkpoint_with(const char* key, const nlohmann::json& value) {
  Rng rng(1);
  Mat X(20, 784);
  for (float& x : X.reshaped()) x = rng.uniform();
  TrainOptions o;
  o.batch = 10;
  Trainer t;
  t.start(tiny_config(784, {4}, 2), o);
  t.step(X);
  const std::string path = "/tmp/vae_test_unfit_" + std::to_string(::getpid()) + ".ckpt";
  REQUIRE(checkpoint_save(path, t, {}).ok);
  SafeTensorsFile f;
  REQUIRE(safetensors_read(path, &f).ok);
  std::remove(path.c_str());
  for (auto& kv : f.metadata)
    if (kv.first == "checkpoint") {
      nlohmann::json j = nlohmann::json::parse(kv.second);
      if (value.is_null()) j.erase(key);
      else j[key] = value;
      kv.second = j.dump();
    }
  return safetensors_serialize(f);
}

const WeightsLimits kPage = {uint64_t(1) << 22, uint64_t(1) << 20};

}  // namespace

TEST_CASE("a config declaring more than the file holds is refused before its parameters are allocated", "[unfit]") {
  // 147 million parameters declared (590 MB), not one tensor present: the tensors are checked first
  const std::vector<uint8_t> big = config_only(R"({"input":784,"hidden":[8192,8192],"latent":2,"activation":"relu"})");
  VaeParams p;
  Status st = weights_parse(big.data(), big.size(), "big.safetensors", &p, nullptr);
  CHECK(st.message == "big.safetensors: missing tensor \"encoder.0.weight\" for config 784-8192-8192-2-8192-8192-784 relu");
  // the issue's 128-byte file: input 1,048,576 and hidden 16,384 are past the parameter limit
  const std::vector<uint8_t> giant = config_only(R"({"input":1048576,"hidden":[16384],"latent":2,"activation":"relu"})");
  st = weights_parse(giant.data(), giant.size(), "giant.safetensors", &p, nullptr);
  CHECK_THAT(st.message, Catch::Contains("has 34360918020 parameters, more than 268435456"));
}

TEST_CASE("a config's parameter count and work buffers are computed without overflow", "[unfit]") {
  VaeConfig c = tiny_config(784, {400}, 20);
  Rng rng(1);
  CHECK(c.param_count() == tiny_model(c, rng).size());
  VaeConfig conditional = tiny_config(784, {500, 500}, 10, Activation::relu, 10);
  CHECK(conditional.param_count() == tiny_model(conditional, rng).size());
  VaeConfig huge = tiny_config(1 << 20, std::vector<int>(16, 16384), 4096, Activation::relu, 256);
  CHECK(huge.param_count() > (uint64_t(1) << 34));
  CHECK_THAT(huge.validate().message, Catch::Contains("parameters, more than"));
  CHECK(huge.work_floats(60000) > kMaxWorkFloats);
  CHECK(c.work_floats(100) < (uint64_t(1) << 22));
  // the family's options: a Gaussian decoder's log-variance (a layer, or one value) counts
  for (DecoderVariance v : {DecoderVariance::per_pixel, DecoderVariance::shared}) {
    VaeConfig g = tiny_config(784, {300, 200}, 8);
    g.likelihood = Likelihood::gaussian;
    g.variance = v;
    INFO(decoder_variance_name(v));
    CHECK(g.param_count() == tiny_model(g, rng).size());
  }
  // the IWAE objective decodes K draws per image: its work buffers grow with K
  VaeConfig iwae = c;
  iwae.objective = Objective::iwae;
  iwae.iwae_k = 50;
  CHECK(iwae.work_floats(100) > c.work_floats(100) + 49 * uint64_t(100) * 784);
}

TEST_CASE("an upload is judged from its first bytes, as from the whole file", "[unfit][upload]") {
  const std::vector<uint8_t> good = weights_bytes(tiny_config(784, {16}, 2));
  uint64_t need = 0;
  // 8 bytes give the header's length, the header is enough to decide
  REQUIRE(weights_check_head(good.data(), 8, good.size(), "up", kPage, &need).ok);
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t(good[size_t(i)]) << (8 * i);
  CHECK(need == 8 + length);
  REQUIRE(weights_check_head(good.data(), size_t(need), good.size(), "up", kPage, &need).ok);
  CHECK(need == 0);
  // an empty file, a PNG's signature, 200 MB of data declared: refused from at most 8 bytes
  CHECK(weights_check_head(nullptr, 0, 0, "empty", kPage, &need).message ==
        "empty: safetensors: file is 0 bytes, shorter than the 8-byte length prefix");
  const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CHECK_THAT(weights_check_head(png, 8, 5000, "x.safetensors", kPage, &need).message,
             Catch::StartsWith("x.safetensors: safetensors: header length 727905341920923785 exceeds the 4992 bytes after the 8-byte length prefix (file size 5000)"));
  const uint8_t small_header[8] = {64, 0, 0, 0, 0, 0, 0, 0};
  CHECK_THAT(weights_check_head(small_header, 8, 200u << 20, "big", kPage, &need).message,
             Catch::Contains("209715128 bytes of tensors, more than a model of at most 4194304 parameters"));
  // a valid file of a model larger than the page takes (F16: its bytes alone would pass): its config
  const std::vector<uint8_t> wide = weights_bytes(tiny_config(784, {3000}, 2), "F16");
  CHECK_THAT(weights_check_head(wide.data(), wide.size(), wide.size(), "wide", {uint64_t(1) << 22, 1 << 20}, &need).message,
             Catch::Contains("wide: the model 784-3000-2-3000-784 relu has 4728788 parameters; at most 4194304"));
  // a header bigger than the page's limit
  const std::vector<uint8_t> good_f16 = weights_bytes(tiny_config(784, {16}, 2), "F16");
  CHECK_THAT(weights_check_head(good_f16.data(), good_f16.size(), good_f16.size(), "h", {uint64_t(1) << 22, 100}, &need).message,
             Catch::Contains("is absurd (limit 100 bytes)"));
}

TEST_CASE("a model that does not fit the data is named with what does not fit", "[unfit]") {
  CHECK(weights_fit_data(tiny_config(784, {8}, 2), 784, 10).ok);
  CHECK(weights_fit_data(tiny_config(784, {8}, 2, Activation::relu, 10), 784, 10).ok);
  CHECK(weights_fit_data(tiny_config(100, {8}, 2), 784, 10).message == "the model's input is 100 values, the images have 784 pixels");
  CHECK(weights_fit_data(tiny_config(784, {8}, 2, Activation::relu, 3), 784, 10).message ==
        "the model is conditional on 3 classes, the data has 10");
}

TEST_CASE("a checkpoint with a field out of range is refused naming the field", "[unfit][train]") {
  struct Case {
    const char* key;
    nlohmann::json value;
    const char* message;
  };
  const Case cases[] = {
      {"rng_state", "99999999999999999999", "\"rng_state\": '99999999999999999999' is larger than 2^64 - 1"},
      {"seed", "18446744073709551616", "\"seed\": '18446744073709551616' is larger than 2^64 - 1"},
      {"seed", "-1", "\"seed\": '-1' is not a whole number of decimal digits"},
      {"rng_inc", "54", "\"rng_inc\" is even"},
      {"schedule_epochs", 1e300, "\"schedule_epochs\" missing or not an integer"},
      {"epoch", 100001, "\"epoch\" is 100001, out of range 0..100000"},
      {"batch", 0, "\"batch\" is 0, out of range 1..60000"},
      {"samples", 1001, "\"samples\" is 1001, out of range 1..1000"},
      {"lr", 1e300, "\"lr\" is 1e+300, out of range (0.0, 10.0]"},
      {"lr_base", 0, "\"lr_base\" is 0, out of range (0.0, 10.0]"},
      {"lr_final", -1e-3, "\"lr_final\" is -0.001, out of range [0.0, 10.0]"},
      {"kl_warmup", 1e300, "\"kl_warmup\" is 1e+300, out of range [0.0, 100000.0]"},
      {"train_seconds", -1, "\"train_seconds\" is -1, out of range [0.0, 1000000000000.0]"},
      {"rng_spare", 1e30, "\"rng_spare\" is 1e+30, out of range [-100.0, 100.0]"},
      {"optimizer", "sgd", "\"optimizer\" missing or unknown"},
      {"rng_has_spare", nullptr, "\"rng_has_spare\" missing"},
  };
  for (const Case& c : cases) {
    INFO(c.key << " = " << c.value.dump());
    const std::vector<uint8_t> bytes = checkpoint_with(c.key, c.value);
    Trainer t;
    const Status st = checkpoint_parse(bytes.data(), bytes.size(), "c.ckpt", &t);
    CHECK_THAT(st.message, Catch::StartsWith("c.ckpt: checkpoint: " + std::string(c.message)));
  }
  const std::vector<uint8_t> fine = checkpoint_with("epoch", 3);
  Trainer t;
  CHECK(checkpoint_parse(fine.data(), fine.size(), "c.ckpt", &t).ok);
  CHECK(t.epoch == 3);
}

TEST_CASE("a classifier file declaring more than it holds is refused before it is allocated", "[unfit][classifier]") {
  SafeTensorsFile f;
  f.metadata.push_back({"classifier", R"({"input":16384,"hidden":[16384,16384,16384,16384],"classes":16384})"});
  const std::vector<uint8_t> bytes = safetensors_serialize(f);
  ClassifierParams p;
  CHECK(classifier_parse(bytes.data(), bytes.size(), "c", &p).message == "c: tensor classifier.0 missing or of the wrong shape");
  SafeTensorsFile deep;
  deep.metadata.push_back({"classifier", R"({"input":4,"hidden":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"classes":2})"});
  const std::vector<uint8_t> deep_bytes = safetensors_serialize(deep);
  CHECK(classifier_parse(deep_bytes.data(), deep_bytes.size(), "d", &p).message == "d: classifier has more than 16 hidden layers");
}

TEST_CASE("a PNG of a diverged model's NaN pixels is drawn black", "[unfit][png]") {
  Mat images = Mat::Constant(2, 784, std::numeric_limits<float>::quiet_NaN());
  images(1, 5) = std::numeric_limits<float>::infinity();
  const std::string path = "/tmp/vae_test_nan_" + std::to_string(::getpid()) + ".png";
  CHECK(png_write_grid(path, ConstMatMap(images.data(), 2, 784), 28, 28, 2).ok);
  std::remove(path.c_str());
}

TEST_CASE("numbers from text: the whole text one decimal number in range, finite", "[unfit][numbers]") {
  long long i = 0;
  CHECK((parse_integer("42", 0, 100, &i).ok && i == 42));
  CHECK((parse_integer("-7", -10, 10, &i).ok && i == -7));
  for (const char* bad : {"", " 5", "5 ", "0x10", "1e3", "2.5", "nan", "+", "-", "5x"})
    CHECK(parse_integer(bad, -100, 100, &i).message == "'" + std::string(bad) + "' is not an integer");
  CHECK(parse_integer("101", 0, 100, &i).message == "'101' is out of range 0..100");
  CHECK(parse_integer("99999999999999999999", 0, 100, &i).message == "'99999999999999999999' is out of range 0..100");
  double r = 0;
  CHECK((parse_real("1e-3", 0, 10, &r, true).ok && r == 1e-3));
  CHECK((parse_real("-.5", -1, 1, &r).ok && r == -0.5));
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", "0x1p3", " 1", "abc"})
    CHECK(parse_real(bad, 0, 10, &r).message == "'" + std::string(bad) + "' is not a finite number");
  CHECK(parse_real("1e309", 0, 10, &r).message == "'1e309' is not a finite number");
  CHECK(parse_real("1e", 0, 10, &r).message == "'1e' is not a number");
  CHECK(parse_real("0", 0, 10, &r, true).message == "'0' is out of range (0, 10]");
  CHECK(parse_real("10.5", 0, 10, &r).message == "'10.5' is out of range [0, 10]");
  uint64_t u = 0;
  CHECK((parse_u64("18446744073709551615", &u).ok && u == UINT64_MAX));
  CHECK(parse_u64("18446744073709551616", &u).message == "'18446744073709551616' is larger than 2^64 - 1");
  CHECK(parse_u64("99999999999999999999999", &u).message == "'99999999999999999999999' is larger than 2^64 - 1");
  for (const char* bad : {"-1", "+5", "", "1e3", " 1"})
    CHECK(parse_u64(bad, &u).message == "'" + std::string(bad) + "' is not a whole number of decimal digits");
}
