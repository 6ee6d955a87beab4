// The one matrix type of the project: float32, row-major, batch-major (a minibatch is B x D, row b
// is sample b). Weights are (out, in) as in PyTorch's nn.Linear.
#pragma once
#include <Eigen/Core>

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;        // a column of floats (biases, flat parameter views)
using RowVec = Eigen::RowVectorXf;  // one sample
using MatMap = Eigen::Map<Mat>;
using ConstMatMap = Eigen::Map<const Mat>;
using VecMap = Eigen::Map<Vec>;
using ConstVecMap = Eigen::Map<const Vec>;
