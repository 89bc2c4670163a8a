// The IF (leaky when beta < 1) recurrence over a whole sequence, forward and backward, as plain C++ loops.
// Same arithmetic, in the same order, as stepping snn_helpers.IF through time under autograd
// (compiled with -ffp-contract=off so that no multiply-add is fused into one rounding):
//   zero reset:     v_t = v_{t-1} * (beta * (1 - s_{t-1})) + I_t
//   subtract reset: v_t = beta * (v_{t-1} - theta * s_{t-1}) + I_t
// Tensors are [time, n] with n = batch x neurons, contiguous, on the CPU.
// Built and loaded by snn_helpers/kernel.py; snn_helpers/fused.py falls back to torch ops without it.
#include <torch/extension.h>
#include <ATen/Parallel.h>

#include <vector>

namespace {
constexpr int64_t kGrain = 4096;
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
    at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) {
        V[n] = I[n];
        S[n] = V[n] > th ? scalar_t(1) : scalar_t(0);
      }
      for (int64_t t = 1; t < T; ++t) {
        const scalar_t* It = I + t * N;
        const scalar_t* Vp = V + (t - 1) * N;
        const scalar_t* Sp = S + (t - 1) * N;
        scalar_t* Vt = V + t * N;
        scalar_t* St = S + t * N;
        for (int64_t n = n0; n < n1; ++n) {
          const scalar_t v =
              zero_reset ? Vp[n] * (b * (scalar_t(1) - Sp[n])) + It[n] : b * (Vp[n] - th * Sp[n]) + It[n];
          Vt[n] = v;
          St[n] = v > th ? scalar_t(1) : scalar_t(0);
        }
      }
    });
  });
  return {s_all, v_all};
}

template <typename scalar_t, bool ZERO, bool DETACH, bool HAS_GS, bool HAS_G>
void backward_chunk(const scalar_t* V, const scalar_t* GS, const scalar_t* GV, const scalar_t* G, scalar_t* A,
                    scalar_t th, scalar_t b, int64_t T, int64_t N, int64_t n0, int64_t n1) {
  for (int64_t t = T - 1; t >= 0; --t) {
    const int64_t off = t * N;
    const bool last = t == T - 1;
    for (int64_t n = n0; n < n1; ++n) {
      const scalar_t v = V[off + n];
      const scalar_t s = v > th ? scalar_t(1) : scalar_t(0);
      const scalar_t g = HAS_G ? G[off + n] : s;
      scalar_t gs = HAS_GS ? GS[off + n] : scalar_t(0);
      scalar_t a;
      if (last) {
        a = gs * g;
      } else {
        // the factor through time: dv_{t+1}/dv_t = beta * (1 - s_t) (zero), beta (subtract);
        // through the reset: dv_{t+1}/ds_t = -beta * v_t (zero), -beta * theta (subtract)
        const scalar_t a_next = A[off + N + n];
        if (ZERO) {
          if (!DETACH) gs = gs - b * (a_next * v);
          a = a_next * (b * (scalar_t(1) - s));
        } else {
          const scalar_t carried = b * a_next;
          if (!DETACH) gs = gs - carried * th;
          a = carried;
        }
        a = a + gs * g;
      }
      if (GV != nullptr) a = a + GV[off + n];
      A[off + n] = a;
    }
  }
}

// grad_spikes, grad_membrane and g_all may be empty (numel 0): no gradient there / g = spikes.
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
  at::Tensor grad = at::empty_like(v_all);
  AT_DISPATCH_FLOATING_TYPES(v_all.scalar_type(), "if_backward", [&] {
    const scalar_t* V = v_all.data_ptr<scalar_t>();
    const scalar_t* GS = has_gs ? grad_spikes.data_ptr<scalar_t>() : nullptr;
    const scalar_t* GV = has_gv ? grad_membrane.data_ptr<scalar_t>() : nullptr;
    const scalar_t* G = has_g ? g_all.data_ptr<scalar_t>() : nullptr;
    scalar_t* A = grad.data_ptr<scalar_t>();
    const scalar_t th = static_cast<scalar_t>(threshold);
    const scalar_t b = static_cast<scalar_t>(beta);
    using Fn = void (*)(const scalar_t*, const scalar_t*, const scalar_t*, const scalar_t*, scalar_t*, scalar_t,
                        scalar_t, int64_t, int64_t, int64_t, int64_t);
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
    at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) { fn(V, GS, GV, G, A, th, b, T, N, n0, n1); });
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
