// The IF (leaky when beta < 1) recurrence over a whole sequence, forward and backward, as plain C++ loops.
// Same arithmetic, in the same order, as stepping snn_helpers.IF through time under autograd
// (compiled with -ffp-contract=off so that no multiply-add is fused into one rounding):
//   zero reset:     v_t = v_{t-1} * (beta * (1 - s_{t-1})) + I_t
//   subtract reset: v_t = beta * (v_{t-1} - theta * s_{t-1}) + I_t
// Tensors are [time, n] with n = batch x neurons, contiguous, on the CPU.
// Built and loaded by snn_helpers/core/kernel.py; snn_helpers/core/fused.py falls back to torch ops without it.
#include <torch/extension.h>
#include <ATen/Parallel.h>

#include <bit>
#include <cstdint>
#include <vector>

namespace {
constexpr int64_t kGrain = 4096;

template <typename scalar_t>
struct Bits;
template <>
struct Bits<float> {
  using type = uint32_t;
};
template <>
struct Bits<double> {
  using type = uint64_t;
};

// [a > b] as 1.0 or +0.0, exactly what static_cast<scalar_t>(a > b) gives, but computed as an all-ones
// mask AND the bits of 1.0: no branch, so the loops vectorise (written as a comparison, GCC turns it
// into a branch, mispredicted about every other column on membranes near threshold).
template <typename scalar_t>
inline scalar_t step(scalar_t a, scalar_t b) {
  using U = typename Bits<scalar_t>::type;
  const U mask = U(0) - static_cast<U>(a > b);
  return std::bit_cast<scalar_t>(mask & std::bit_cast<U>(scalar_t(1)));
}
}  // namespace

// One chunk of columns [n0, n1) over all steps. Restricted pointers and a branch-free spike (step)
// let the compiler vectorise the inner loop; each product and sum is the same IEEE operation, in the
// same order, as in the torch-ops fall-back.
template <typename scalar_t, bool ZERO>
void forward_chunk(const scalar_t* __restrict__ I, scalar_t* __restrict__ V, scalar_t* __restrict__ S,
                   scalar_t th, scalar_t b, int64_t T, int64_t N, int64_t n0, int64_t n1) {
  for (int64_t n = n0; n < n1; ++n) {
    const scalar_t v = I[n];
    V[n] = v;
    S[n] = step(v, th);
  }
  for (int64_t t = 1; t < T; ++t) {
    const scalar_t* __restrict__ It = I + t * N;
    const scalar_t* __restrict__ Vp = V + (t - 1) * N;
    scalar_t* __restrict__ Vt = V + t * N;
    scalar_t* __restrict__ St = S + t * N;
    for (int64_t n = n0; n < n1; ++n) {
      const scalar_t vp = Vp[n];
      const scalar_t sp = step(vp, th);  // s_{t-1}, recomputed from v_{t-1}
      const scalar_t v = ZERO ? vp * (b * (scalar_t(1) - sp)) + It[n] : b * (vp - th * sp) + It[n];
      Vt[n] = v;
      St[n] = step(v, th);
    }
  }
}

std::vector<at::Tensor> if_forward(const at::Tensor& current, double threshold, bool zero_reset, double beta) {
  TORCH_CHECK(current.is_contiguous() && current.device().is_cpu(), "current: contiguous CPU tensor");
  const int64_t T = current.size(0);
  const int64_t N = T ? current.numel() / T : 0;
  at::Tensor v_all = at::empty_like(current);
  at::Tensor s_all = at::empty_like(current);
  AT_DISPATCH_FLOATING_TYPES(current.scalar_type(), "if_forward", [&] {
    const scalar_t* I = current.data_ptr<scalar_t>();
    scalar_t* V = v_all.data_ptr<scalar_t>();
    scalar_t* S = s_all.data_ptr<scalar_t>();
    const scalar_t th = static_cast<scalar_t>(threshold);
    const scalar_t b = static_cast<scalar_t>(beta);
    const auto fn = zero_reset ? forward_chunk<scalar_t, true> : forward_chunk<scalar_t, false>;
    at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) { fn(I, V, S, th, b, T, N, n0, n1); });
  });
  return {s_all, v_all};
}

// With HAS_G, A holds g on entry and each entry is overwritten by the gradient once its g is read
// (the same index, read before written): the surrogate's buffer is the result, no fresh allocation.
template <typename scalar_t, bool ZERO, bool DETACH, bool HAS_GS, bool HAS_G>
void backward_chunk(const scalar_t* __restrict__ V, const scalar_t* __restrict__ GS,
                    const scalar_t* __restrict__ GV, scalar_t* __restrict__ A, scalar_t th, scalar_t b, int64_t T,
                    int64_t N, int64_t n0, int64_t n1) {
  if (T == 0) return;
  {  // the last step: nothing comes back from t + 1
    const int64_t off = (T - 1) * N;
    for (int64_t n = n0; n < n1; ++n) {
      const scalar_t s = step(V[off + n], th);
      const scalar_t g = HAS_G ? A[off + n] : s;
      const scalar_t gs = HAS_GS ? GS[off + n] : scalar_t(0);
      scalar_t a = gs * g;
      if (GV != nullptr) a = a + GV[off + n];
      A[off + n] = a;
    }
  }
  for (int64_t t = T - 2; t >= 0; --t) {
    const int64_t off = t * N;
    for (int64_t n = n0; n < n1; ++n) {
      const scalar_t v = V[off + n];
      const scalar_t s = step(v, th);
      const scalar_t g = HAS_G ? A[off + n] : s;
      scalar_t gs = HAS_GS ? GS[off + n] : scalar_t(0);
      // the factor through time: dv_{t+1}/dv_t = beta * (1 - s_t) (zero), beta (subtract);
      // through the reset: dv_{t+1}/ds_t = -beta * v_t (zero), -beta * theta (subtract)
      const scalar_t a_next = A[off + N + n];
      scalar_t a;
      if (ZERO) {
        if (!DETACH) gs = gs - b * (a_next * v);
        a = a_next * (b * (scalar_t(1) - s));
      } else {
        const scalar_t carried = b * a_next;
        if (!DETACH) gs = gs - carried * th;
        a = carried;
      }
      a = a + gs * g;
      if (GV != nullptr) a = a + GV[off + n];
      A[off + n] = a;
    }
  }
}

// grad_spikes, grad_membrane and g_all may be empty (numel 0): no gradient there / g = spikes.
// A non-empty g_all (v_all's shape and dtype, sharing memory with no other argument) is overwritten by
// the gradient and returned: the engine hands over its own buffer, one fresh allocation fewer (at
// notebook 08's sizes, fresh pages cost about as much as the loop).
at::Tensor if_backward(const at::Tensor& v_all, const at::Tensor& grad_spikes, const at::Tensor& grad_membrane,
                       const at::Tensor& g_all, double threshold, bool zero_reset, bool detach_reset,
                       double beta) {
  TORCH_CHECK(v_all.is_contiguous() && v_all.device().is_cpu(), "v_all: contiguous CPU tensor");
  const bool has_gs = grad_spikes.numel() > 0, has_gv = grad_membrane.numel() > 0, has_g = g_all.numel() > 0;
  TORCH_CHECK(!has_gs || grad_spikes.is_contiguous(), "grad_spikes: contiguous");
  TORCH_CHECK(!has_gv || grad_membrane.is_contiguous(), "grad_membrane: contiguous");
  TORCH_CHECK(!has_g || g_all.is_contiguous(), "g_all: contiguous");
  const int64_t T = v_all.size(0);
  const int64_t N = T ? v_all.numel() / T : 0;
  TORCH_CHECK(!has_g || (g_all.sizes() == v_all.sizes() && g_all.scalar_type() == v_all.scalar_type()),
              "g_all: v_all's shape and dtype");
  at::Tensor grad = has_g ? g_all : at::empty_like(v_all);
  AT_DISPATCH_FLOATING_TYPES(v_all.scalar_type(), "if_backward", [&] {
    const scalar_t* V = v_all.data_ptr<scalar_t>();
    const scalar_t* GS = has_gs ? grad_spikes.data_ptr<scalar_t>() : nullptr;
    const scalar_t* GV = has_gv ? grad_membrane.data_ptr<scalar_t>() : nullptr;
    scalar_t* A = grad.data_ptr<scalar_t>();
    const scalar_t th = static_cast<scalar_t>(threshold);
    const scalar_t b = static_cast<scalar_t>(beta);
    using Fn = void (*)(const scalar_t*, const scalar_t*, const scalar_t*, scalar_t*, scalar_t, scalar_t, int64_t,
                        int64_t, int64_t, int64_t);
    // one instantiation per (reset, detach, has grad_spikes, has g): branch-free inner loops
    static const Fn table[16] = {
        backward_chunk<scalar_t, false, false, false, false>, backward_chunk<scalar_t, false, false, false, true>,
        backward_chunk<scalar_t, false, false, true, false>,  backward_chunk<scalar_t, false, false, true, true>,
        backward_chunk<scalar_t, false, true, false, false>,  backward_chunk<scalar_t, false, true, false, true>,
        backward_chunk<scalar_t, false, true, true, false>,   backward_chunk<scalar_t, false, true, true, true>,
        backward_chunk<scalar_t, true, false, false, false>,  backward_chunk<scalar_t, true, false, false, true>,
        backward_chunk<scalar_t, true, false, true, false>,   backward_chunk<scalar_t, true, false, true, true>,
        backward_chunk<scalar_t, true, true, false, false>,   backward_chunk<scalar_t, true, true, false, true>,
        backward_chunk<scalar_t, true, true, true, false>,    backward_chunk<scalar_t, true, true, true, true>};
    const Fn fn = table[zero_reset * 8 + detach_reset * 4 + has_gs * 2 + has_g];
    at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) { fn(V, GS, GV, A, th, b, T, N, n0, n1); });
  });
  return grad;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  // beta defaults to 1 (no leak): callers written before the leak keep working
  m.def("if_forward", &if_forward, "IF/LIF recurrence forward over [time, n]", pybind11::arg("current"),
        pybind11::arg("threshold"), pybind11::arg("zero_reset"), pybind11::arg("beta") = 1.0);
  m.def("if_backward", &if_backward, "IF/LIF recurrence backward over [time, n]", pybind11::arg("v_all"),
        pybind11::arg("grad_spikes"), pybind11::arg("grad_membrane"), pybind11::arg("g_all"),
        pybind11::arg("threshold"), pybind11::arg("zero_reset"), pybind11::arg("detach_reset"),
        pybind11::arg("beta") = 1.0);
}
