// RTNeural side of the issue-15 comparison (see README.md): per-sample `forward` of a causal
// dilated convolution stack, the twin of benches/src/bin/conv_peer.rs (same cells, weights,
// input, loop and statistics).
//
// Cells, N = 8, 16, 32, input one channel, one sample per call, the state carried:
//   stackN: Conv1DT<1,N,3,1>, Conv1DT<N,N,3,2>, Conv1DT<N,N,3,4>, GRULayerT<N,N>
//           (Keras: conv1d(N, 3, padding = causal, dilation_rate = 1/2/4), linear, bias;
//           gru(N), tanh / sigmoid, reset_after = True)
//   convsN: the same three convolutions without the GRU.
//   fcn128 (with --fcn): keras.io's FCN classifier, `forward` of 128 timesteps, built by hand
//           from Conv1DStatelessT ("same" padding, no bias: folded into the batch norm's
//           mean), BatchNorm2DT, ReLuActivationT, a global average written here (RTNeural has
//           no pooling layer), DenseT and SoftmaxActivationT.
// Weights: tinyrnn_bench::uniform(PARAMS, 3, 0.3) in Keras get_weights() order (the FCN:
// uniform(PARAMS, 9, 0.3) with each moving variance v replaced by 0.5 + v, so that it is
// positive); input tinyrnn_bench::inputs::<1>(1, 5)[0] (the FCN: inputs::<1>(128, 2)).
// Backend: Eigen, compile-time API (RTNeural::ModelT).
//
// Usage: rtn_conv [--check] [--fcn] [--only CELL] [steps=200000] [reps=3]
//   --only CELL: that cell alone (for profilers: callgrind, perf)
// Output, one line per cell:  rtneural <cell> block_ns r1 r2 .. | chunk_med <ns>
//   block_ns: mean ns per call of each timed block of `steps` calls;
//   chunk_med: median over all 1000-call chunks of all blocks (robust to preemption).
//   fcn128 is timed with steps / 100 calls in chunks of 10 (ns per 128-step forward).
// --check: outputs after 10 calls from reset (fcn128: the 4 probabilities of one forward).
#include <RTNeural/RTNeural.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

using clk = std::chrono::steady_clock;

static const char* only = nullptr; // --only CELL
static bool selected(const std::string& name) { return only == nullptr || name == only; }

// tinyrnn_bench::uniform: 64-bit LCG, 24 random bits, scale * (2u - 1).
static std::vector<float> uniform(size_t n, uint64_t seed, float scale)
{
    uint64_t s = seed * 6364136223846793005ULL + 1ULL;
    std::vector<float> v(n);
    for(size_t i = 0; i < n; ++i)
    {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        float u = (float)(s >> 40) / (float)(1ULL << 24);
        v[i] = scale * (2.0f * u - 1.0f);
    }
    return v;
}

// Reads Keras weights in get_weights() order.
struct Reader
{
    const std::vector<float>& w;
    size_t p = 0;
    float next() { return w.at(p++); }
    void done() const
    {
        if(p != w.size())
        {
            std::fprintf(stderr, "weight count mismatch %zu vs %zu\n", p, w.size());
            std::exit(1);
        }
    }
};

// Keras Conv1D kernel (k, c, f) row-major -> ws[f][c][tap], as RTNeural's setWeights wants.
static std::vector<std::vector<std::vector<float>>> keras_kernel(Reader& r, int k, int c, int f)
{
    std::vector<std::vector<std::vector<float>>> ws(f, std::vector<std::vector<float>>(c, std::vector<float>(k)));
    for(int t = 0; t < k; ++t)
        for(int i = 0; i < c; ++i)
            for(int o = 0; o < f; ++o)
                ws[o][i][t] = r.next();
    return ws;
}

// Conv1DT (streaming, causal): its column j of the kernel multiplies the input j * dilation
// samples ago (state_ptrs[j] = state_ptr - j * dilation), Keras's tap t the input
// (k - 1 - t) * dilation ago: so the taps are reversed (as RTNeural's model_loader.h does,
// `kernel_size - 1 - i`).
template <typename Conv>
static void load_causal_conv(Conv& conv, Reader& r)
{
    constexpr int k = Conv::kernel_length, c = Conv::in_size, f = Conv::out_size;
    auto ws = keras_kernel(r, k, c, f);
    for(auto& per_filter : ws)
        for(auto& taps : per_filter)
            std::reverse(taps.begin(), taps.end());
    conv.setWeights(ws);
    std::vector<float> b(f);
    for(auto& v : b)
        v = r.next();
    conv.setBias(b);
}

template <typename Gru>
static void load_gru(Gru& gru, Reader& r, int d, int h)
{
    std::vector<std::vector<float>> k(d, std::vector<float>(3 * h)), u(h, std::vector<float>(3 * h)),
        b(2, std::vector<float>(3 * h));
    for(auto& row : k)
        for(auto& v : row)
            v = r.next();
    for(auto& row : u)
        for(auto& v : row)
            v = r.next();
    for(auto& row : b)
        for(auto& v : row)
            v = r.next();
    gru.setWVals(k);
    gru.setUVals(u);
    gru.setBVals(b);
}

static inline void clobber() { asm volatile("" ::: "memory"); }
template <typename P>
static inline void escape(P p) { asm volatile("" : : "g"(p) : "memory"); }

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Times `call` (which runs one step / one forward): warm-up, then `reps` blocks of `calls`
// calls in chunks of `chunk`.
template <typename Fn>
static void time_cell(const char* name, Fn&& call, size_t calls, size_t chunk, int reps)
{
    for(size_t i = 0; i < std::max<size_t>(calls / 10, 100); ++i)
        call();
    std::vector<double> blocks, chunks;
    for(int r = 0; r < reps; ++r)
    {
        auto t0 = clk::now();
        auto tc = t0;
        for(size_t c = 0; c < calls / chunk; ++c)
        {
            for(size_t i = 0; i < chunk; ++i)
                call();
            auto t = clk::now();
            chunks.push_back(std::chrono::duration<double, std::nano>(t - tc).count() / chunk);
            tc = t;
        }
        blocks.push_back(std::chrono::duration<double, std::nano>(tc - t0).count() / (double)(calls / chunk * chunk));
    }
    std::printf("rtneural %-8s block_ns", name);
    for(double b : blocks)
        std::printf(" %.2f", b);
    std::printf(" | chunk_med %.2f\n", median(chunks));
    std::fflush(stdout);
}

template <int N, bool WithGru>
static void cell(bool check, size_t steps, int reps)
{
    using C1 = RTNeural::Conv1DT<float, 1, N, 3, 1>; // groups = 1, dynamic_state = false
    using C2 = RTNeural::Conv1DT<float, N, N, 3, 2>;
    using C3 = RTNeural::Conv1DT<float, N, N, 3, 4>;
    using Gru = RTNeural::GRULayerT<float, N, N>;
    using Model = std::conditional_t<WithGru, RTNeural::ModelT<float, 1, N, C1, C2, C3, Gru>,
        RTNeural::ModelT<float, 1, N, C1, C2, C3>>;
    std::string name = std::string(WithGru ? "stack" : "convs") + std::to_string(N);
    if(!selected(name))
        return;
    auto m = std::make_unique<Model>();
    const size_t convs = (3 * 1 * N + N) + 2 * (3 * N * N + N);
    const size_t params = convs + (WithGru ? 3 * N * (N + N) + 6 * N : 0);
    auto w = uniform(params, 3, 0.3f);
    Reader r { w };
    load_causal_conv(m->template get<0>(), r);
    load_causal_conv(m->template get<1>(), r);
    load_causal_conv(m->template get<2>(), r);
    if constexpr(WithGru)
        load_gru(m->template get<3>(), r, N, N);
    r.done();
    m->reset();
    alignas(64) float x[1] = { uniform(1, 5, 1.0f)[0] };

    if(check)
    {
        // 10 steps from reset, then the first 4 and last output, 9 significant digits
        for(int i = 0; i < 10; ++i)
            m->forward(x);
        const float* y = m->getOutputs();
        std::printf("check %-8s %.9g %.9g %.9g %.9g %.9g\n", name.c_str(), y[0], y[1], y[2], y[3], y[N - 1]);
        return;
    }
    auto& model = *m;
    auto one_step = [&]
    {
        escape(x);
        model.forward(x);
        escape(model.getOutputs());
    };
    time_cell(name.c_str(), one_step, steps, 1000, reps);
}

// keras.io's FCN (benches/benches/conv.rs `Fcn`), by hand from RTNeural's layers.
struct Fcn
{
    static constexpr int T = 128, F = 32;
    RTNeural::Conv1DStatelessT<float, 1, T, F, 8, 1, false> c1; // valid_pad = false: "same"
    RTNeural::BatchNorm2DT<float, F, T, true> b1;
    RTNeural::ReLuActivationT<float, F * T> r1;
    RTNeural::Conv1DStatelessT<float, F, T, F, 5, 1, false> c2;
    RTNeural::BatchNorm2DT<float, F, T, true> b2;
    RTNeural::ReLuActivationT<float, F * T> r2;
    RTNeural::Conv1DStatelessT<float, F, T, F, 3, 1, false> c3;
    RTNeural::BatchNorm2DT<float, F, T, true> b3;
    RTNeural::ReLuActivationT<float, F * T> r3;
    RTNeural::DenseT<float, F, 4> dense;
    RTNeural::SoftmaxActivationT<float, 4> softmax;
    Eigen::Matrix<float, F, 1> pooled;

    static constexpr size_t PARAMS = (8 * 1 * F + F + 4 * F) + (5 * F * F + F + 4 * F) + (3 * F * F + F + 4 * F) + (F * 4 + 4);

    // Conv1DStatelessT has no bias: a Keras Conv1D bias b before batch normalization is
    // folded into its moving mean (x + b - mean = x - (mean - b)).
    template <typename Conv, typename Bn>
    static void load_block(Conv& conv, Bn& bn, Reader& r, int k, int c)
    {
        auto ws = keras_kernel(r, k, c, F); // ws[f][c][tap]; no reversal: tap t reads x[o + t - pad_left]
        conv.setWeights(ws);
        std::vector<float> bias(F), gamma(F), beta(F), mean(F), var(F);
        for(auto* v : { &bias, &gamma, &beta, &mean, &var })
            for(auto& x : *v)
                x = r.next();
        for(int i = 0; i < F; ++i)
            mean[i] -= bias[i];
        bn.setGamma(gamma);
        bn.setBeta(beta);
        bn.setRunningMean(mean);
        bn.setRunningVariance(var);
        bn.setEpsilon(1.0e-3f); // Keras's default
    }

    void load(const std::vector<float>& w)
    {
        Reader r { w };
        load_block(c1, b1, r, 8, 1);
        load_block(c2, b2, r, 5, F);
        load_block(c3, b3, r, 3, F);
        std::vector<std::vector<float>> k(4, std::vector<float>(F)); // DenseT: [out][in]
        for(int i = 0; i < F; ++i)
            for(int o = 0; o < 4; ++o)
                k[o][i] = r.next();
        dense.setWeights(k);
        float b[4];
        for(auto& v : b)
            v = r.next();
        dense.setBias(b);
        r.done();
    }

    // x: 128 timesteps of one channel. Layers chained as ModelT chains them (each layer's
    // `forward` takes the previous `outs`); Eigen maps only reshape (filters x time,
    // column-major: one column per timestep, as tinyrnn's [[f32; C]; T]).
    const float* forward(const float* x)
    {
        using Flat = Eigen::Matrix<float, F * T, 1>;
        using Frame = Eigen::Matrix<float, F, T>;
        c1.forward(Eigen::Map<const Eigen::Matrix<float, 1, T>, RTNeural::RTNeuralEigenAlignment>(x));
        b1.forward(Eigen::Map<const Flat, RTNeural::RTNeuralEigenAlignment>(c1.outs.data()));
        r1.forward(b1.outs);
        c2.forward(Eigen::Map<const Frame, RTNeural::RTNeuralEigenAlignment>(r1.outs.data()));
        b2.forward(Eigen::Map<const Flat, RTNeural::RTNeuralEigenAlignment>(c2.outs.data()));
        r2.forward(b2.outs);
        c3.forward(Eigen::Map<const Frame, RTNeural::RTNeuralEigenAlignment>(r2.outs.data()));
        b3.forward(Eigen::Map<const Flat, RTNeural::RTNeuralEigenAlignment>(c3.outs.data()));
        r3.forward(b3.outs);
        // GlobalAveragePooling1D: not in RTNeural, one line here.
        pooled = Eigen::Map<const Frame, RTNeural::RTNeuralEigenAlignment>(r3.outs.data()).rowwise().mean();
        dense.forward(pooled);
        softmax.forward(dense.outs);
        return softmax.outs.data();
    }
};

static void fcn(bool check, size_t steps, int reps)
{
    if(!selected("fcn128"))
        return;
    auto m = std::make_unique<Fcn>();
    auto w = uniform(Fcn::PARAMS, 9, 0.3f);
    // moving variances (the 4th vector of each batch norm) made positive: 0.5 + v
    for(size_t start : { (size_t)(8 * 32 + 32), (size_t)(8 * 32 + 32 + 128 + 5 * 32 * 32 + 32),
            (size_t)(8 * 32 + 32 + 128 + 5 * 32 * 32 + 32 + 128 + 3 * 32 * 32 + 32) })
        for(size_t i = start + 3 * 32; i < start + 4 * 32; ++i)
            w[i] = 0.5f + w[i];
    m->load(w);
    alignas(64) static float x[Fcn::T];
    auto xv = uniform(Fcn::T, 2, 1.0f);
    std::memcpy(x, xv.data(), sizeof x);
    if(check)
    {
        const float* y = m->forward(x);
        std::printf("check %-8s %.9g %.9g %.9g %.9g\n", "fcn128", y[0], y[1], y[2], y[3]);
        return;
    }
    auto& model = *m;
    auto one_forward = [&]
    {
        escape(x);
        clobber();
        escape(model.forward(x));
    };
    time_cell("fcn128", one_forward, steps / 100, 10, reps);
}

int main(int argc, char** argv)
{
    bool check = false, with_fcn = false;
    size_t steps = 200000;
    int reps = 3;
    int pos = 0;
    for(int i = 1; i < argc; ++i)
    {
        if(std::strcmp(argv[i], "--check") == 0)
            check = true;
        else if(std::strcmp(argv[i], "--fcn") == 0)
            with_fcn = true;
        else if(std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if(pos++ == 0)
            steps = std::strtoull(argv[i], nullptr, 10);
        else
            reps = std::atoi(argv[i]);
    }
    cell<8, true>(check, steps, reps);
    cell<16, true>(check, steps, reps);
    cell<32, true>(check, steps, reps);
    cell<8, false>(check, steps, reps);
    cell<16, false>(check, steps, reps);
    cell<32, false>(check, steps, reps);
    if(with_fcn)
        fcn(check, steps, reps);
    return 0;
}
