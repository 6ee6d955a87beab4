// The shipped models the app offers (a manifest built with the page, or natively the weights/ folder)
// and the datasets they were trained on: which data the panels show, and the names of its classes.
#pragma once
#include <string>
#include <vector>

#include "io/weights.h"

struct ModelEntry {
  std::string file;     // where the weights are: a URL in the page, a path natively
  std::string name;     // the file name without ".safetensors", e.g. "mnist-z2"
  std::string dataset;  // "mnist" or "fashion-mnist" (metadata "dataset"; "mnist" when absent)
  std::string summary;  // one line: dataset, architecture, the card's log p(x) and agreement, test ELBO
  std::string about;    // the summary without the test ELBO ...
  std::string elbo;     // ... and the test ELBO alone ("-96.515"; "" when not recorded)
  int latent = 0, classes = 0;
};

// The entry for weights with this metadata, or false when it is not a VAE (no valid "config").
bool model_entry_from_metadata(const std::string& file, const Metadata& meta, ModelEntry* out);
// The page's manifest: a JSON array of {"file", "metadata": {...}} (src/app/site.cmake writes it).
std::vector<ModelEntry> models_from_manifest(const std::string& json);
// Native: the VAE weights in `dir` (not classifiers, not *-cvae2*), the shipped ones first in the
// page's order, then the rest by name. Reads only each file's header.
std::vector<ModelEntry> models_scan_folder(const std::string& dir);

// The dataset a model was trained on, from its metadata; "" when the metadata does not say.
std::string dataset_of(const Metadata& meta);
// "MNIST" or "Fashion-MNIST".
const char* dataset_title(const std::string& dataset);
// Class k's name: "7" (MNIST), "Sneaker" (Fashion-MNIST), else "class k".
std::string class_name(const std::string& dataset, int k);
