// ExitCodes: what the reverie command returns, for scripts.
namespace Reverie.Cli;

/// <summary>Process exit codes of <c>reverie</c> (documented in docs/running.md).</summary>
public static class ExitCodes
{
    /// <summary>Success (training reached its step count, evaluation/plot done).</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure (an exception while running: I/O, a corrupt checkpoint, a bug).</summary>
    public const int Failure = 1;

    /// <summary>A usage or config error: unknown verb/option/agent/env/preset, a bad value. Nothing was run.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by SIGINT (Ctrl+C) or SIGTERM: the current step (or its current replay update) finished and a checkpoint was written; rerun to resume.</summary>
    public const int Interrupted = 130;
}
