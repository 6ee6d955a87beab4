// Writes the fuzz targets' seed corpora: small valid files made by the project's own writers (tiny
// models' weights in F32 and F16, checkpoints after a few steps, a classifier, IDX and gzip files,
// configs, a manifest, flag values), one folder per target under DIR. Nothing here is committed.
//   make_corpus DIR
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "io/weights.h"
#include "train/checkpoint.h"
#include "train/classifier_train.h"

namespace fs = std::filesystem;

namespace {

fs::path g_root;

void check(const Status& st) {
  if (st) return;
  std::fprintf(stderr, "make_corpus: %s\n", st.message.c_str());
  std::exit(1);
}

void write(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
  fs::create_directories(g_root / target);
  check(file_write_atomic((g_root / target / name).string(), bytes));
}

void write_text(const std::string& target, const std::string& name, const std::string& text) {
  write(target, name, std::vector<uint8_t>(text.begin(), text.end()));
}

VaeConfig config(int input, std::vector<int> hidden, int latent, Activation act, int classes) {
  VaeConfig c;
  c.input = input;
  c.hidden = std::move(hidden);
  c.latent = latent;
  c.activation = act;
  c.classes = classes;
  return c;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& raw) {
  z_stream s{};
  deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::vector<uint8_t> out(deflateBound(&s, raw.size()) + 64);
  s.next_in = const_cast<Bytef*>(raw.data());
  s.avail_in = static_cast<uInt>(raw.size());
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::vector<uint8_t> idx(uint32_t magic, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> b;
  for (uint32_t v : std::vector<uint32_t>{magic}) b.insert(b.end(), {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
  for (uint32_t v : dims) b.insert(b.end(), {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  g_root = argv[1];
  const VaeConfig configs[] = {config(6, {3}, 2, Activation::relu, 0), config(5, {4, 3}, 1, Activation::tanh, 0),
                               config(4, {2}, 2, Activation::relu, 3)};
  Rng rng(1);
  int n = 0;
  for (const VaeConfig& c : configs) {
    VaeParams p;
    p.build(c);
    p.init(rng);
    const Metadata provenance = {{"dataset", "mnist"}, {"test_elbo", "-1.5"}, {"log_px", "-1.2"}};
    for (const char* dtype : {"F32", "F16"}) {
      const std::vector<uint8_t> bytes = safetensors_serialize(weights_to_safetensors(p, provenance, dtype));
      const std::string name = "model" + std::to_string(n) + "-" + dtype + ".safetensors";
      write("weights", name, bytes);
      write("safetensors", name, bytes);
    }
    write_text("config", "config" + std::to_string(n) + ".json", config_to_json(c));
    // checkpoints after a few steps on random images, Adam and Adagrad
    Mat X(8, c.input);
    for (float& x : X.reshaped()) x = rng.uniform();
    std::vector<uint8_t> labels(8);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(i % std::max(1, c.classes));
    for (OptimizerKind kind : {OptimizerKind::adam, OptimizerKind::adagrad}) {
      TrainOptions o;
      o.batch = 4;
      o.optimizer = kind;
      o.lr_final = 1e-4f;
      o.epochs = 3;
      o.kl_warmup = 1;
      Trainer t;
      t.start(c, o);
      for (int s = 0; s < 3; ++s) t.step(X, labels.data());
      fs::create_directories(g_root / "checkpoint");
      check(checkpoint_save(
          (g_root / "checkpoint" / ("ckpt" + std::to_string(n) + optimizer_name(kind) + ".safetensors")).string(), t, {}));
    }
    ++n;
  }
  // the format's published example, a BF16 tensor, metadata alone
  for (const std::string& header : {std::string(R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})"),
                                    std::string(R"({"__metadata__":{"k":"v"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})"),
                                    std::string(R"({"__metadata__":{"format":"pt"}})")}) {
    std::vector<uint8_t> bytes(8);
    for (int i = 0; i < 8; ++i) bytes[size_t(i)] = uint8_t(uint64_t(header.size()) >> (8 * i));
    bytes.insert(bytes.end(), header.begin(), header.end());
    const size_t data = header.find("BF16") != std::string::npos ? 4 : header.find("F32") != std::string::npos ? 24 : 0;
    bytes.resize(bytes.size() + data, 0x3f);
    write("safetensors", "hand" + std::to_string(bytes.size()) + ".safetensors", bytes);
  }
  // a classifier file
  ClassifierParams cp;
  cp.build(6, {5, 3}, 4);
  cp.init(rng);
  fs::create_directories(g_root / "classifier");
  check(classifier_save((g_root / "classifier" / "classifier.safetensors").string(), cp, {{"test_accuracy", "0.5"}}));
  // IDX images (0, 1 and 3 of them) and labels, raw and gzipped
  for (uint32_t count : {0u, 1u, 3u}) {
    std::vector<uint8_t> pixels(count * 784);
    for (uint8_t& v : pixels) v = uint8_t(rng.below(256));
    std::vector<uint8_t> digits(count + 2);
    for (uint8_t& v : digits) v = uint8_t(rng.below(10));
    const std::vector<uint8_t> images = idx(0x803, {count, 28, 28}, pixels);
    const std::vector<uint8_t> labels = idx(0x801, {count + 2}, digits);
    write("idx_images", "images" + std::to_string(count), images);
    write("idx_labels", "labels" + std::to_string(count + 2), labels);
    write("gunzip", "images" + std::to_string(count) + ".gz", gzip(images));
    write("gunzip", "labels" + std::to_string(count + 2) + ".gz", gzip(labels));
  }
  // the page's manifest of models, and flag values
  const std::string manifest =
      R"([{"file": "weights/a.safetensors", "metadata": {"config": )" + nlohmann::json(config_to_json(configs[0])).dump() +
      R"(, "dataset": "mnist", "test_elbo": "-90.1", "log_px": "-86.2"}}, {"file": "weights/b.safetensors", "metadata": {"config": )" +
      nlohmann::json(config_to_json(configs[2])).dump() + R"(, "dataset": "fashion-mnist", "classifier_agreement": "0.9653"}}])";
  write_text("manifest", "manifest.json", manifest);
  for (const char* text : {"1e-3", "-5", "18446744073709551615", "0.5", "100000", "+7", "2.5E+1"})
    write_text("numbers", std::string("n") + std::to_string(std::hash<std::string>()(text) % 100000), text);
  // links to a view of the page (the URL's hash)
  int link = 0;
  for (const char* text : {"#model=mnist-z2&digit=4&view=inside&eps=2",
                           "#model=mnist-best&view=explore&a=class:1.0&b=class:7.0&t=0.5&slerp=0",
                           "#model=mnist-z20&view=explore&digit=17&eps=4&seed=5&T=0.8&grid=8&a=class:2.1&b=test:40&t=0.3"
                           "&slerp=0&plane=axes:3,5&cdf=0&tiles=12&scale=1.25&beta=1&focus=map",
                           "#a=z:0.5,-1.25,3e-2&b=prior:7&plane=principal&sclass=-1&scale=projector&focus=none",
                           "#model=mnist-z2&view=step&step=backward&posterior=1&fitq=0&holes=1&decoder=sample"
                           "&wlayer=decoder&wpage=3&focus=posterior"})
    write_text("url", "link" + std::to_string(link++), text);
  std::printf("make_corpus: seeds written under %s\n", g_root.string().c_str());
  return 0;
}
