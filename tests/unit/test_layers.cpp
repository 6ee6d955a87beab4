// Each layer's backward against finite differences of its forward, and the closed forms of the
// losses (BCE from logits, Gaussian KL) against direct computation and Monte Carlo.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/gemm.h"
#include "core/layers.h"
#include "core/rng.h"
#include "gradcheck.h"

namespace {

Mat random_mat(int rows, int cols, Rng& rng, float scale = 1.0f) {
  Mat m(rows, cols);
  for (float& v : m.reshaped()) v = scale * rng.normal();
  return m;
}

std::vector<float> flat(const Mat& m) { return std::vector<float>(m.data(), m.data() + m.size()); }
Mat unflat(const std::vector<float>& v, int rows, int cols) { return ConstMatMap(v.data(), rows, cols); }

// A fixed random projection R turns a layer's output Y into the scalar sum(R .* Y), whose
// gradient with respect to Y is R itself.
double project(const Mat& Y, const Mat& R) { return (Y.cast<double>().array() * R.cast<double>().array()).sum(); }

}  // namespace

TEST_CASE("linear backward matches finite differences for X, W and b", "[layers][grad]") {
  Rng rng(1);
  const int B = 4, in = 6, out = 5;
  Mat X = random_mat(B, in, rng), W = random_mat(out, in, rng), R = random_mat(B, out, rng);
  Vec b = random_mat(out, 1, rng);
  Mat dX(B, in), dW = Mat::Zero(out, in);
  Vec db = Vec::Zero(out);
  linear_backward(dX, dW, db, R, X, W);
  auto loss = [&](const Mat& x, const Mat& w, const Vec& bias) {
    Mat Y(B, out);
    linear_forward(Y, x, w, bias);
    return project(Y, R);
  };
  auto fx = [&](const std::vector<float>& v) { return loss(unflat(v, B, in), W, b); };
  auto fw = [&](const std::vector<float>& v) { return loss(X, unflat(v, out, in), b); };
  auto fb = [&](const std::vector<float>& v) { return loss(X, W, ConstVecMap(v.data(), out)); };
  std::vector<float> vb(b.data(), b.data() + out), gb(db.data(), db.data() + out);
  CHECK(directional_check(fx, flat(X), flat(dX), 0, B * in, 11).relative_error() < 1e-3);
  CHECK(directional_check(fw, flat(W), flat(dW), 0, out * in, 12).relative_error() < 1e-3);
  CHECK(directional_check(fb, vb, gb, 0, out, 13).relative_error() < 1e-3);
}

TEST_CASE("linear backward accumulates into parameter gradients", "[layers]") {
  Rng rng(2);
  Mat X = random_mat(3, 4, rng), W = random_mat(2, 4, rng), dY = random_mat(3, 2, rng);
  Mat dX(3, 4), dW = Mat::Zero(2, 4);
  Vec db = Vec::Zero(2);
  linear_backward(dX, dW, db, dY, X, W);
  Mat once = dW;
  linear_backward(dX, dW, db, dY, X, W);
  CHECK((dW - 2 * once).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("a held-back weight gradient is dY^T X: each piece writes its own block, in any order, the same as in place, "
          "alone in a buffer the same bits, and added to one the sum",
          "[layers]") {
  // every kernel this build runs: Eigen's, and the project's where this CPU has them
  const GemmKernel saved = gemm_kernel();
  for (GemmKernel kernel : {GemmKernel::eigen, GemmKernel::avx2, GemmKernel::avx512}) {
    if (!gemm_kernel_available(kernel)) continue;
    REQUIRE(gemm_set_kernel(kernel));
    INFO(gemm_kernel_name(kernel));
    // the trainer's two (decoder output, encoder input) at a block of 50 rows, and odd sizes
    const int shapes[][3] = {{784, 400, 50}, {400, 784, 50}, {37, 19, 5}, {3, 130, 2}};
    for (const auto& shape : shapes) {
      const int out = shape[0], in = shape[1], B = shape[2];
      INFO(out << " x " << in << ", " << B << " rows");
      Rng rng(7);
      const Mat X = random_mat(B, in, rng), W = random_mat(out, in, rng), dY = random_mat(B, out, rng);
      const Mat start = random_mat(out, in, rng);  // the gradient accumulated so far
      Mat dX(B, in), dW_now = start, dW_later = start;
      Vec db_now = Vec::Zero(out), db_later = Vec::Zero(out);
      linear_backward(dX, dW_now, db_now, dY, X, W);
      std::vector<WeightGrad> held;
      Mat dX_later(B, in);
      linear_backward(dX_later, dW_later, db_later, dY, X, W, &held);
      REQUIRE(held.size() == 1);
      CHECK(dW_later == start);  // held back: not yet added
      CHECK(db_later == db_now);
      CHECK(dX_later == dX);
      const WeightGrad& g = held[0];
      const int pieces = g.pieces();
      CHECK(pieces >= 1);
      CHECK(pieces <= 8);
      // alone on a zero matrix, each piece fills a block no other piece touches, and together
      // they cover every element
      Eigen::MatrixXi owner = Eigen::MatrixXi::Constant(out, in, -1);
      Mat alone(out, in);
      int overlaps = 0;
      WeightGrad on_alone = g;
      on_alone.dW = alone.data();
      on_alone.ld_dW = alone.outerStride();
      int piece_to_differs = 0;
      double piece_add_error = 0;
      for (int k = 0; k < pieces; ++k) {
        alone.setZero();
        on_alone.block(g.piece_first(k), g.piece_len(k), 1);
        // the piece alone in a buffer of its own: the bits block() added to zeros
        const int len = g.piece_len(k);
        Mat own(len, in);
        g.piece_to(k, own.data(), own.outerStride());
        piece_to_differs += own != alone.middleRows(g.piece_first(k), len);
        // and added to what a buffer holds
        Mat more = start.middleRows(g.piece_first(k), len);
        g.piece_to(k, more.data(), more.outerStride(), true);
        const Eigen::MatrixXd sum = start.middleRows(g.piece_first(k), len).cast<double>() +
                                    dY.middleCols(g.piece_first(k), len).cast<double>().transpose() * X.cast<double>();
        piece_add_error = std::max(piece_add_error, (more.cast<double>() - sum).cwiseAbs().maxCoeff() / (1.0 + sum.cwiseAbs().maxCoeff()));
        for (int r = 0; r < out; ++r)
          for (int c = 0; c < in; ++c)
            if (alone(r, c) != 0.0f) {
              overlaps += owner(r, c) != -1;
              owner(r, c) = k;
            }
      }
      CHECK(overlaps == 0);
      CHECK((owner.array() >= 0).all());
      CHECK(piece_to_differs == 0);
      CHECK(piece_add_error < 1e-4);
      // the pieces in reverse order give dY^T X added to what was there
      for (int k = pieces; k-- > 0;) g.block(g.piece_first(k), g.piece_len(k), 1);
      const Eigen::MatrixXd want = start.cast<double>() + dY.cast<double>().transpose() * X.cast<double>();
      CHECK((dW_later.cast<double>() - want).cwiseAbs().maxCoeff() < 1e-4 * (1.0 + want.cwiseAbs().maxCoeff()));
      // with the project's kernel each element is one FMA chain whatever the block: the same bits
      // as the product in place (Eigen's blocks may round differently; the trainer takes the
      // same pieces on one thread or two, so its numbers do not depend on that)
      if (kernel != GemmKernel::eigen) CHECK(dW_later == dW_now);
    }
  }
  gemm_set_kernel(saved);
}

TEST_CASE("relu, tanh and elu backward match finite differences", "[layers][grad]") {
  for (Activation act : {Activation::relu, Activation::tanh, Activation::elu}) {
    INFO(activation_name(act));
    Rng rng(3);
    const int B = 5, D = 7;
    Mat A = random_mat(B, D, rng), R = random_mat(B, D, rng);
    // keep relu's (and elu's second-derivative) inputs away from the kink so central differences are valid
    if (act != Activation::tanh)
      for (float& a : A.reshaped()) a = a >= 0 ? a + 0.1f : a - 0.1f;
    Mat H(B, D), dA(B, D);
    activation_forward(H, A, act);
    activation_backward(dA, R, H, act);
    auto f = [&](const std::vector<float>& v) {
      Mat h(B, D);
      activation_forward(h, unflat(v, B, D), act);
      return project(h, R);
    };
    CHECK(directional_check(f, flat(A), flat(dA), 0, B * D, 21, 1e-3).relative_error() < 1e-3);
  }
}

TEST_CASE("bce from logits backward is sigmoid(logits) - x and matches finite differences", "[layers][grad]") {
  Rng rng(4);
  const int B = 3, D = 8;
  Mat L = random_mat(B, D, rng, 3.0f), X(B, D);
  for (float& x : X.reshaped()) x = rng.uniform() < 0.5f ? 1.0f : 0.0f;
  Mat dL(B, D);
  bce_logits_backward(dL, L, X, 1.0f);
  auto f = [&](const std::vector<float>& v) {
    Vec loss(B);
    bce_logits_forward(loss, unflat(v, B, D), X);
    return loss.cast<double>().sum();
  };
  CHECK(directional_check(f, flat(L), flat(dL), 0, B * D, 31, 1e-3).relative_error() < 1e-3);
  CHECK(dL(0, 0) == Approx(1.0 / (1.0 + std::exp(-L(0, 0))) - X(0, 0)).margin(1e-6));
}

TEST_CASE("bce from logits in one pass gives the forward's loss and the backward's gradient", "[layers][grad]") {
  Rng rng(9);
  const int B = 4, D = 37;
  // logits of both signs, some far out (e = exp(-|l|) underflows toward 0 there), and 0 itself
  Mat L = random_mat(B, D, rng, 12.0f), X(B, D);
  L(0, 0) = 0.0f;
  L(1, 1) = 90.0f;
  L(2, 2) = -90.0f;
  for (float& x : X.reshaped()) x = rng.uniform() < 0.3f ? 1.0f : 0.0f;
  Vec loss(B), loss_ref(B);
  Mat dL(B, D), dL_ref(B, D);
  const float scale = 0.25f;
  bce_logits_forward_backward(loss, dL, L, X, scale);
  bce_logits_forward(loss_ref, L, X);
  bce_logits_backward(dL_ref, L, X, scale);
  for (int b = 0; b < B; ++b) CHECK(loss[b] == Approx(loss_ref[b]).epsilon(1e-6));
  // the same sigmoid to a few ulps of 1 (a different formula for it, so not the same bits)
  CHECK((dL - dL_ref).cwiseAbs().maxCoeff() <= 4e-7f);
  CHECK(dL(0, 0) == Approx(scale * (0.5 - X(0, 0))).margin(1e-7));
  CHECK(dL(1, 1) == Approx(scale * (1.0 - X(1, 1))).margin(1e-7));
  CHECK(dL(2, 2) == Approx(scale * (0.0 - X(2, 2))).margin(1e-7));
  CHECK(std::isfinite(loss.sum()));
}

TEST_CASE("bce from logits equals -[x log s + (1-x) log(1-s)] at moderate logits", "[layers]") {
  Mat L(1, 4), X(1, 4);
  L << -2.0f, -0.5f, 0.5f, 3.0f;
  X << 1.0f, 0.0f, 1.0f, 0.0f;
  Vec loss(1);
  bce_logits_forward(loss, L, X);
  double expected = 0;
  for (int j = 0; j < 4; ++j) {
    double s = 1.0 / (1.0 + std::exp(-static_cast<double>(L(0, j))));
    expected -= X(0, j) * std::log(s) + (1 - X(0, j)) * std::log(1 - s);
  }
  CHECK(loss[0] == Approx(expected).epsilon(1e-5));
}

TEST_CASE("bce from logits stays finite and correct at logits of +-100", "[layers]") {
  Mat L(1, 4), X(1, 4);
  L << 100.0f, -100.0f, 100.0f, -100.0f;
  X << 1.0f, 0.0f, 0.0f, 1.0f;
  Vec loss(1);
  bce_logits_forward(loss, L, X);
  // right answers cost ~exp(-100) each; wrong ones cost 100 each
  REQUIRE(std::isfinite(loss[0]));
  CHECK(loss[0] == Approx(200.0).epsilon(1e-6));
  Mat dL(1, 4);
  bce_logits_backward(dL, L, X, 1.0f);
  REQUIRE(dL.allFinite());
  CHECK(dL(0, 0) == Approx(0.0).margin(1e-6));
  CHECK(dL(0, 1) == Approx(0.0).margin(1e-6));
  CHECK(dL(0, 2) == Approx(1.0).margin(1e-6));
  CHECK(dL(0, 3) == Approx(-1.0).margin(1e-6));
}

TEST_CASE("closed-form KL equals a Monte Carlo estimate", "[layers]") {
  Mat mu(1, 3), logvar(1, 3);
  mu << 0.5f, -1.0f, 0.2f;
  logvar << -0.7f, 0.3f, -2.0f;
  Vec kl(1);
  kl_forward(kl, mu, logvar);
  // KL = E_q[log q(z) - log p(z)]; the (2 pi)^(-1/2) factors cancel
  Rng rng(5);
  const int n = 200000;
  double sum = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 3; ++j) {
      double sigma = std::exp(0.5 * logvar(0, j)), eps = rng.normal();
      double z = mu(0, j) + sigma * eps;
      sum += (-0.5 * eps * eps - 0.5 * logvar(0, j)) - (-0.5 * z * z);
    }
  CHECK(kl[0] == Approx(sum / n).epsilon(0.01));
  CHECK(kl[0] > 0.0f);
}

TEST_CASE("KL is zero at the prior and its gradient matches finite differences", "[layers][grad]") {
  Mat mu = Mat::Zero(2, 4), logvar = Mat::Zero(2, 4);
  Vec kl(2);
  kl_forward(kl, mu, logvar);
  CHECK(kl.cwiseAbs().maxCoeff() < 1e-7f);
  Rng rng(6);
  mu = random_mat(2, 4, rng);
  logvar = random_mat(2, 4, rng, 0.5f);
  Mat dmu = Mat::Zero(2, 4), dlogvar = Mat::Zero(2, 4);
  kl_backward(dmu, dlogvar, mu, logvar, 1.0f);
  auto f_mu = [&](const std::vector<float>& v) {
    kl_forward(kl, unflat(v, 2, 4), logvar);
    return kl.cast<double>().sum();
  };
  auto f_lv = [&](const std::vector<float>& v) {
    kl_forward(kl, mu, unflat(v, 2, 4));
    return kl.cast<double>().sum();
  };
  CHECK(directional_check(f_mu, flat(mu), flat(dmu), 0, 8, 41, 1e-3).relative_error() < 1e-3);
  CHECK(directional_check(f_lv, flat(logvar), flat(dlogvar), 0, 8, 42, 1e-3).relative_error() < 1e-3);
}

TEST_CASE("elu is a for a > 0 and exp(a) - 1 otherwise", "[layers]") {
  Mat A(1, 4), H(1, 4);
  A << -3.0f, -0.5f, 0.25f, 2.0f;
  activation_forward(H, A, Activation::elu);
  CHECK(H(0, 0) == Approx(std::exp(-3.0) - 1).epsilon(1e-6));
  CHECK(H(0, 1) == Approx(std::exp(-0.5) - 1).epsilon(1e-6));
  CHECK(H(0, 2) == 0.25f);
  CHECK(H(0, 3) == 2.0f);
}

TEST_CASE("dropout with a fixed mask: forward drops and rescales, backward matches finite differences", "[layers][grad]") {
  Rng rng(7);
  const int B = 6, D = 9;
  const float P = 0.4f;
  Mat A = random_mat(B, D, rng), R = random_mat(B, D, rng), mask(B, D);
  dropout_mask(mask, P, rng);
  CHECK((mask.array() == 0.0f).count() + (mask.array() == 1.0f / (1.0f - P)).count() == B * D);
  CHECK((mask.array() == 0.0f).count() > 5);
  // h = tanh(a) * m, then the gradient back to a, against central differences at the same mask
  auto forward = [&](const Mat& a) {
    Mat h(B, D);
    activation_forward(h, a, Activation::tanh);
    dropout_forward(h, mask);
    return h;
  };
  Mat H = forward(A), dH = R, dA(B, D);
  for (Eigen::Index i = 0; i < H.size(); ++i)
    if (mask.data()[i] == 0.0f) CHECK(H.data()[i] == 0.0f);
  dropout_backward(dH, H, mask, P);
  activation_backward(dA, dH, H, Activation::tanh);
  auto f = [&](const std::vector<float>& v) { return project(forward(unflat(v, B, D)), R); };
  CHECK(directional_check(f, flat(A), flat(dA), 0, B * D, 71, 1e-3).relative_error() < 1e-3);
  // the mask's mean is 1: the expected output is the input
  Mat big(400, 400);
  dropout_mask(big, P, rng);
  CHECK(big.mean() == Approx(1.0).epsilon(0.02));
}

TEST_CASE("Gaussian negative log-likelihood equals the direct formula, per image and per pixel", "[layers]") {
  Mat L(2, 3), LV(2, 3), X(2, 3);
  L << -2.0f, 0.0f, 1.5f, 3.0f, -0.5f, 0.2f;
  LV << -1.0f, 0.5f, -4.0f, 0.0f, -2.5f, 1.0f;
  X << 0.1f, 0.5f, 0.9f, 0.99f, 0.3f, 0.0f;
  Vec nll(2);
  Mat cost(2, 3);
  gaussian_nll_forward(nll, L, LV, X);
  gaussian_nll_pixels(cost, L, LV, X);
  for (int b = 0; b < 2; ++b) {
    double total = 0;
    for (int j = 0; j < 3; ++j) {
      // -log N(x; m, s^2) = log(s sqrt(2 pi)) + (x - m)^2 / (2 s^2),  m = 1 / (1 + exp(-l)),  s^2 = exp(lv)
      const double m = 1.0 / (1.0 + std::exp(-double(L(b, j)))), s2 = std::exp(double(LV(b, j)));
      const double direct = std::log(std::sqrt(s2 * 2 * M_PI)) + (X(b, j) - m) * (X(b, j) - m) / (2 * s2);
      CHECK(cost(b, j) == Approx(direct).epsilon(1e-5));
      total += direct;
    }
    CHECK(nll[b] == Approx(total).epsilon(1e-5));
  }
}

TEST_CASE("Gaussian negative log-likelihood backward matches finite differences in logits and log-variance",
          "[layers][grad]") {
  Rng rng(8);
  const int B = 3, D = 7;
  Mat L = random_mat(B, D, rng, 2.0f), LV = random_mat(B, D, rng, 1.0f), X(B, D);
  for (float& x : X.reshaped()) x = rng.uniform();
  Mat dL(B, D), dLV(B, D);
  gaussian_nll_backward(dL, dLV, L, LV, X, 1.0f);
  auto nll = [&](const Mat& l, const Mat& lv) {
    Vec loss(B);
    gaussian_nll_forward(loss, l, lv, X);
    return loss.cast<double>().sum();
  };
  auto f_l = [&](const std::vector<float>& v) { return nll(unflat(v, B, D), LV); };
  auto f_lv = [&](const std::vector<float>& v) { return nll(L, unflat(v, B, D)); };
  CHECK(directional_check(f_l, flat(L), flat(dL), 0, B * D, 81, 1e-3).relative_error() < 1e-3);
  CHECK(directional_check(f_lv, flat(LV), flat(dLV), 0, B * D, 82, 1e-3).relative_error() < 1e-3);
}

TEST_CASE("softplus sigma: logvar = 2 log(softplus(a) + 1e-6), and its backward matches finite differences",
          "[layers][grad]") {
  Mat A(1, 5), LV(1, 5);
  A << -30.0f, -2.0f, 0.0f, 1.5f, 40.0f;
  softplus_sigma_forward(LV, A);
  for (int j = 0; j < 5; ++j) {
    const double sigma = std::log1p(std::exp(double(A(0, j)))) + 1e-6;
    CHECK(LV(0, j) == Approx(2 * std::log(sigma)).epsilon(1e-5));
  }
  CHECK(std::exp(0.5 * LV(0, 0)) == Approx(1e-6 + std::exp(-30.0)).epsilon(1e-3));  // the floor keeps sigma > 0
  Rng rng(9);
  const int B = 4, Z = 5;
  Mat a = random_mat(B, Z, rng, 2.0f), R = random_mat(B, Z, rng), da = R;
  softplus_sigma_backward(da, a);
  auto f = [&](const std::vector<float>& v) {
    Mat lv(B, Z);
    softplus_sigma_forward(lv, unflat(v, B, Z));
    return project(lv, R);
  };
  CHECK(directional_check(f, flat(a), flat(da), 0, B * Z, 91, 1e-3).relative_error() < 1e-3);
}
