// Forward and backward of the MLP classifier (softmax cross-entropy), over one flat parameter vector.
#include "model/classifier.h"

#include <cassert>
#include <cmath>

void ClassifierParams::build(int in, const std::vector<int>& hid, int c) {
  input = in;
  hidden = hid;
  classes = c;
  layers.clear();
  size_t at = 0;
  int prev = in;
  for (size_t i = 0; i <= hid.size(); ++i) {
    LinearSlot s;
    s.name = "classifier." + std::to_string(i);
    s.out = i < hid.size() ? hid[i] : c;
    s.in = prev;
    s.w_offset = at;
    at += static_cast<size_t>(s.out) * s.in;
    s.b_offset = at;
    at += s.out;
    layers.push_back(s);
    prev = s.out;
  }
  data.assign(at, 0.0f);
}

void ClassifierParams::init(Rng& rng) {
  for (const LinearSlot& s : layers) {
    const float bound = 1.0f / std::sqrt(static_cast<float>(s.in));
    for (size_t i = s.w_offset; i < s.b_offset + s.out; ++i) data[i] = (2.0f * rng.uniform() - 1.0f) * bound;
  }
}

void ClassifierWork::resize(const ClassifierParams& p, int B) {
  batch = B;
  h.resize(p.hidden.size());
  dh.resize(p.hidden.size());
  for (size_t i = 0; i < p.hidden.size(); ++i) {
    h[i].resize(B, p.hidden[i]);
    dh[i].resize(B, p.hidden[i]);
  }
  logits.resize(B, p.classes);
  dlogits.resize(B, p.classes);
  loss.resize(B);
  grad.assign(p.size(), 0.0f);
}

void classifier_forward(MatRef logits, ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X) {
  const Eigen::Index n = X.rows();
  assert(n <= w.batch);
  const size_t last = p.layers.size() - 1;
  // h_i = relu(W_i h_{i-1} + b_i), h_{-1} = x
  mlp_hidden_forward(w.h, p.layers, last, p.data.data(), X, Activation::relu);
  linear_forward(logits, last == 0 ? X : ConstMatRef(w.h[last - 1].topRows(n)), p.W(p.layers[last]),
                 p.b(p.layers[last]));
}

double classifier_forward_backward(ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X,
                                   const uint8_t* labels) {
  const int B = w.batch;
  assert(X.rows() == B);
  classifier_forward(w.logits, w, p, X);
  softmax_ce_forward(w.loss, w.logits, labels);
  std::fill(w.grad.begin(), w.grad.end(), 0.0f);
  // dL/dlogits = (softmax - onehot) / B
  softmax_ce_backward(w.dlogits, w.logits, labels, 1.0f / B);
  for (size_t i = p.layers.size(); i-- > 0;) {
    const LinearSlot& s = p.layers[i];
    const Mat& dY = i + 1 == p.layers.size() ? w.dlogits : w.dh[i];
    if (i + 1 < p.layers.size()) activation_backward(w.dh[i], w.dh[i], w.h[i], Activation::relu);
    MatMap dW(w.grad.data() + s.w_offset, s.out, s.in);
    VecMap db(w.grad.data() + s.b_offset, s.out);
    if (i == 0)
      linear_backward(w.d_unused, dW, db, dY, X, p.W(s));
    else
      linear_backward(w.dh[i - 1], dW, db, dY, w.h[i - 1], p.W(s));
  }
  return w.loss.cast<double>().mean();
}

std::vector<uint8_t> classifier_predict(ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X) {
  std::vector<uint8_t> out(static_cast<size_t>(X.rows()));
  for (Eigen::Index start = 0; start < X.rows(); start += w.batch) {
    const Eigen::Index n = std::min<Eigen::Index>(w.batch, X.rows() - start);
    classifier_forward(w.logits.topRows(n), w, p, X.middleRows(start, n));
    for (Eigen::Index r = 0; r < n; ++r) {
      Eigen::Index best;
      w.logits.row(r).maxCoeff(&best);
      out[static_cast<size_t>(start + r)] = static_cast<uint8_t>(best);
    }
  }
  return out;
}

Mat classifier_probabilities(ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X) {
  Mat P(X.rows(), p.classes);
  for (Eigen::Index start = 0; start < X.rows(); start += w.batch) {
    const Eigen::Index n = std::min<Eigen::Index>(w.batch, X.rows() - start);
    classifier_forward(w.logits.topRows(n), w, p, X.middleRows(start, n));
    for (Eigen::Index r = 0; r < n; ++r) {
      // p(c|x) = exp(l_c - max l) / sum_c' exp(l_c' - max l)
      const float m = w.logits.row(r).maxCoeff();
      P.row(start + r) = (w.logits.row(r).array() - m).exp();
      P.row(start + r) /= P.row(start + r).sum();
    }
  }
  return P;
}
