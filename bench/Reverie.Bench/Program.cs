// Reverie.Bench: speed workloads, one JSON line per result, comparable with ../shared/peers/.
// Usage: dotnet run -c Release --project bench/Reverie.Bench -- <workload> [--threads N] [--reps R]
using System.Text.Json;
using Reverie.Bench;

var workloads = new Dictionary<string, Action<BenchOptions>>
{
    ["gemm"] = GemmWorkload.Run,
    ["mlp"] = MlpWorkload.Run,
    ["conv"] = ConvWorkload.Run,
    ["mlp-breakdown"] = MlpBreakdownWorkload.Run,
    ["ops"] = OpsWorkload.Run,
    ["envs"] = EnvsWorkload.Run,
    ["gemmcpu"] = GemmCpuWorkload.Run,
    ["dreamer-gemm"] = DreamerGemmWorkload.Run,
    ["dreamer-ops"] = DreamerOpsWorkload.Run,
    ["smallgemm"] = SmallGemmProbe.Run,
    ["dreamerv3_1m"] = DreamerWorkload.Run1m,
    ["dreamer_pixels"] = DreamerWorkload.RunPixels,
    ["dreamerv3_12m"] = DreamerWorkload.Run12m,
    ["tdmpc2"] = TdMpc2Workload.Update,
    ["tdmpc2-size1"] = o => TdMpc2Workload.Update(o, 1),
    ["tdmpc2-plan"] = TdMpc2Workload.Plan,
};

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine($"usage: Reverie.Bench <{string.Join("|", workloads.Keys)}> [--threads N] [--reps R]");
    Console.Error.WriteLine($"       Reverie.Bench <{string.Join("|", ModelFreeWorkload.Names)}> [--seed S] [--steps N] [--eval-every N] [--episodes K] [--out file.csv]");
    return args.Length == 0 ? 2 : 0;
}
if (ModelFreeWorkload.Names.Contains(args[0]))
{
    try { ModelFreeWorkload.Run(args[0], args[1..]); return 0; }
    catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }
}
if (!workloads.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"unknown workload '{args[0]}'; expected one of: {string.Join(", ", workloads.Keys)}");
    return 2;
}
try
{
    // CONV_SWEEP=bytes (any workload): the direct conv weight gradient's sweep of images between reductions (0: one image; an A/B hook).
    if (long.TryParse(Environment.GetEnvironmentVariable("CONV_SWEEP"), out long sweep) && sweep >= 0) Reverie.Tensors.Kernels.ConvDirect.SweepBytes = sweep;
    // CHANNELNORM_FUSED=0 (any workload): the channel norm's backward computes dγ/dβ in a second pass over channels.
    if (Environment.GetEnvironmentVariable("CHANNELNORM_FUSED") == "0") Reverie.Tensors.Kernels.ChannelNorm.FusedMaxChannels = 0;
    // CONV_NARROW=0 (any workload): the direct conv, its transpose and their weight gradients keep 16 columns per vector on
    // 4- and 8-wide maps.
    if (Environment.GetEnvironmentVariable("CONV_NARROW") == "0")
        Reverie.Tensors.Kernels.ConvDirect.NarrowRows = Reverie.Tensors.Kernels.ConvDirect.NarrowWeightRows = false;
    // CONV_PATCH=0 (any workload): the direct conv weight gradient by the 16-column / row kernels instead of patches.
    if (Environment.GetEnvironmentVariable("CONV_PATCH") == "0") Reverie.Tensors.Kernels.ConvDirect.PatchWeights = false;
    run(BenchOptions.Parse(args[1..]));
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

namespace Reverie.Bench
{
    /// <summary>Command-line options shared by every workload.</summary>
    public sealed record BenchOptions(int Threads, int Reps, int Iters, int Warmup)
    {
        public static BenchOptions Parse(string[] a)
        {
            int threads = Environment.ProcessorCount, reps = 3, iters = 0, warmup = -1;
            for (int i = 0; i < a.Length; i++)
            {
                string Next() => i + 1 < a.Length ? a[++i] : throw new ArgumentException($"{a[i]} needs a value");
                switch (a[i])
                {
                    case "--threads": threads = int.Parse(Next()); break;
                    case "--reps": reps = int.Parse(Next()); break;
                    case "--iters": iters = int.Parse(Next()); break;
                    case "--warmup": warmup = int.Parse(Next()); break;
                    default: throw new ArgumentException($"unknown option '{a[i]}'");
                }
            }
            if (threads < 1) throw new ArgumentException("--threads must be >= 1");
            return new BenchOptions(threads, reps, iters, warmup);
        }
    }

    /// <summary>Prints results as single JSON lines.</summary>
    public static class Report
    {
        private static readonly JsonSerializerOptions Opts = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        public static void Line(object o) => Console.WriteLine(JsonSerializer.Serialize(o, o.GetType(), Opts));
    }
}
