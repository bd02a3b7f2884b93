// `litc`: the command-line client of a litcompute broker. This file only declares the options
// (`--help` is the reference) and dispatches to cli/commands.cc.
#include <CLI/CLI.hpp>
#include <climits>
#include <cstdint>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/key_commands.h"
#include "cli/lit_commands.h"
#include "cli/verify_command.h"

namespace {

using litc::ClientOptions;

// --broker, --timeout-ms, --max-frame-bytes: shared by every subcommand that talks to the broker's
// clients socket.
void add_client_options(CLI::App* cmd, ClientOptions& o) {
  cmd->add_option("--broker", o.broker, "Endpoint of the broker's clients socket (ZeroMQ)")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", o.timeout_ms,
                  "How long to wait for the broker's reply; after that litc exits with status 2")
      ->check(CLI::Range(1, INT_MAX))
      ->capture_default_str();
  cmd->add_option("--max-frame-bytes", o.max_frame_bytes,
                  "Largest reply accepted; a bigger one is reported as frame_too_large")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30))
      ->capture_default_str();
}

void add_wait_timeout(CLI::App* cmd, int& wait_timeout_ms) {
  cmd->add_option("--wait-timeout-ms", wait_timeout_ms,
                  "With --wait: how long to wait for the job to finish; after that litc exits "
                  "with status 2 (the job keeps running)")
      ->check(CLI::Range(1, INT_MAX))
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = litc::cli;
  CLI::App app{
      "litc: submit jobs to a litcompute broker, query them, and watch its events.\n"
      "Prints one JSON value on stdout (watch: one JSON line per event). Exit status: 0 success; "
      "1 the job ended failed or cancelled; 2 broker unreachable or timed out, broker error, or "
      "usage error."};
  app.require_subcommand(1);
  // Set by the chosen subcommand's callback, which CLI11 runs once that subcommand parsed cleanly.
  int exit_status = cli::kExitOk;

  cli::SubmitOptions submit;
  auto* submit_cmd = app.add_subcommand("submit", "Submit a job and print its JSON");
  add_client_options(submit_cmd, submit.client);
  submit_cmd
      ->add_option("--op", submit.request.operation,
                   "Operation to run (e.g. sha256, echo, encrypt); the broker rejects one "
                   "it does not know with unknown_operation")
      ->required();
  auto* input = submit_cmd->add_option_group("input", "The job's input bytes (exactly one)");
  input->add_option("--input", submit.input, "Input given as text on the command line");
  input->add_option("--input-file", submit.input_file,
                    "Read the input bytes from this file ('-' reads stdin)");
  input->require_option(1);
  submit_cmd
      ->add_option("--priority", submit.request.priority,
                   "Higher runs first; FIFO among jobs of the same priority")
      ->capture_default_str();
  submit_cmd->add_option("--job-id", submit.request.job_id,
                         "Job id to use; empty lets the broker choose. Submitting an existing id "
                         "again is idempotent (the output then has \"duplicate\": true)");
  submit_cmd
      ->add_option("--max-attempts", submit.request.max_attempts,
                   "Runs before the job is failed and dead-lettered; 0 = broker default")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  submit_cmd
      ->add_option("--ttl-ms", submit.request.ttl_ms,
                   "Fail the job with expired if no worker took it within this many ms; "
                   "0 = broker default")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  submit_cmd
      ->add_option("--job-timeout-ms", submit.request.timeout_ms,
                   "Fail the job with timeout if one attempt runs longer; 0 = broker default")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  submit_cmd->add_flag("--wait", submit.wait,
                       "Block until the job finishes and print its final JSON instead of the ack");
  submit_cmd->add_flag("--verified", submit.request.verified,
                       "Ask for a result signed by its node and checked by the broker (sign and "
                       "decrypt always are); check the record later with litc verify");
  add_wait_timeout(submit_cmd, submit.wait_timeout_ms);
  submit_cmd->callback([&] { exit_status = cli::run_submit(submit); });

  cli::JobOptions status;
  auto* status_cmd = app.add_subcommand("status", "Print a job's JSON");
  add_client_options(status_cmd, status.client);
  status_cmd->add_option("job_id", status.job_id, "Id of the job")->required();
  status_cmd->callback([&] { exit_status = cli::run_status(status); });

  cli::JobOptions cancel;
  auto* cancel_cmd = app.add_subcommand(
      "cancel", "Cancel a pending or active job and print it (already_finished if it ended)");
  add_client_options(cancel_cmd, cancel.client);
  cancel_cmd->add_option("job_id", cancel.job_id, "Id of the job")->required();
  cancel_cmd->callback([&] { exit_status = cli::run_cancel(cancel); });

  cli::JobOptions replay;
  auto* replay_cmd = app.add_subcommand(
      "replay", "Put a dead-lettered job back to pending (attempt 1) and print it");
  add_client_options(replay_cmd, replay.client);
  replay_cmd->add_option("job_id", replay.job_id, "Id of the dead-lettered job")->required();
  replay_cmd->add_flag("--wait", replay.wait,
                       "Block until the replayed job finishes and print its final JSON");
  add_wait_timeout(replay_cmd, replay.wait_timeout_ms);
  replay_cmd->callback([&] { exit_status = cli::run_replay(replay); });

  cli::DeadLetterOptions dead;
  auto* dead_cmd = app.add_subcommand("dead-letters",
                                      "Print the dead-letter list (oldest first) as a JSON array");
  add_client_options(dead_cmd, dead.client);
  dead_cmd->add_option("--limit", dead.limit, "Print at most this many jobs; 0 = broker default")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  dead_cmd->callback([&] { exit_status = cli::run_dead_letters(dead); });

  ClientOptions stats;
  auto* stats_cmd = app.add_subcommand("stats", "Print the broker's counters as a JSON object");
  add_client_options(stats_cmd, stats);
  stats_cmd->callback([&] { exit_status = cli::run_stats(stats); });

  cli::WatchOptions watch;
  auto* watch_cmd =
      app.add_subcommand("watch", "Print the broker's events, one JSON line per event");
  watch_cmd->add_option("--events", watch.events, "Endpoint of the broker's events socket (PUB)")
      ->capture_default_str();
  watch_cmd->add_option("--count", watch.count, "Stop after this many events; 0 = never")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  watch_cmd
      ->add_option("--timeout-ms", watch.timeout_ms,
                   "Stop after this many ms without an event; 0 = never. Exit status 2 if "
                   "--count events had not arrived by then, else 0")
      ->check(CLI::Range(0, INT_MAX))
      ->capture_default_str();
  watch_cmd->add_flag("--no-hugz", watch.no_hugz,
                      "Do not subscribe to the idle heartbeat events (topic hugz)");
  watch_cmd
      ->add_option("--max-frame-bytes", watch.max_frame_bytes,
                   "Largest event accepted; a bigger one is reported and skipped")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30))
      ->capture_default_str();
  watch_cmd->callback([&] { exit_status = cli::run_watch(watch); });

  cli::KeygenOptions keygen;
  auto* keygen_cmd = app.add_subcommand(
      "keygen",
      "Make keys. --network: deal the t-of-n network key (trusted dealer: run it offline, give "
      "each node its own share file, delete the rest; see crypto/threshold/scheme.md). --node: "
      "a node's Ed25519 identity key");
  keygen_cmd->add_flag("--network", keygen.network, "Make the network key and its shares");
  keygen_cmd->add_flag("--node", keygen.node,
                       "Make a node's Ed25519 identity key (litc-worker --node-key), in the file "
                       "--out (mode 0600, never overwritten)");
  keygen_cmd
      ->add_option("--threshold", keygen.threshold,
                   "Shares needed to decrypt (at least 2: no single node may decrypt)")
      ->check(CLI::Range(2u, 1024u))
      ->capture_default_str();
  keygen_cmd->add_option("--shares", keygen.shares, "Shares made, one per node (1..N)")
      ->check(CLI::Range(2u, 1024u))
      ->capture_default_str();
  keygen_cmd
      ->add_option("--out", keygen.out,
                   "--network: the directory for network.json and share-<i>.key (created 0700; "
                   "existing key files are never overwritten); --node: the key file")
      ->required();
  keygen_cmd->callback([&] { exit_status = cli::run_keygen(keygen); });

  cli::VerifyOptions verify;
  auto* verify_cmd = app.add_subcommand(
      "verify",
      "Check a verified job's record offline: each node's signature over (jobId, attempt, "
      "operation, inputCID, outputCID), and that the output in the record is what it signed. "
      "Exit 0 valid, 1 invalid.");
  verify_cmd->add_option("file", verify.file, "The job JSON (litc status, GET jobs/:id); - = stdin")
      ->required();
  verify_cmd->add_option("--trusted-key", verify.trusted_keys,
                         "A node public key (64 hex) the record's signers must be among "
                         "(repeatable); without it any key's valid signature passes");
  verify_cmd->callback([&] { exit_status = cli::run_verify(verify); });

  cli::EncryptOptions encrypt;
  auto* encrypt_cmd = app.add_subcommand(
      "encrypt",
      "Encrypt locally to the network key under access-control conditions and print Lit's "
      "encryptToJson envelope (+ hashOfConditions, identity). Nothing leaves this process.");
  encrypt_cmd->add_option("--network-key", encrypt.network_key, "network.json")->required();
  encrypt_cmd
      ->add_option("--conditions", encrypt.conditions,
                   "File with a JSON array of accessControlConditions, or an object with exactly "
                   "one of accessControlConditions, evmContractConditions, solRpcConditions, "
                   "unifiedAccessControlConditions")
      ->required();
  encrypt_cmd->add_option("--chain", encrypt.chain, "The envelope's chain")->capture_default_str();
  auto* plaintext = encrypt_cmd->add_option_group("plaintext", "The data to encrypt (exactly one)");
  plaintext->add_option("--input", encrypt.input, "UTF-8 text given on the command line");
  plaintext->add_option("--input-file", encrypt.input_file, "Read it from this file ('-': stdin)");
  plaintext->require_option(1);
  encrypt_cmd->callback([&] { exit_status = cli::run_encrypt(encrypt); });

  cli::DecryptOptions decrypt;
  auto* decrypt_cmd = app.add_subcommand(
      "decrypt",
      "Decrypt an envelope through the network: blind, one decrypt job (T share holders each "
      "check the authSig and the conditions), verify every share, combine. Prints "
      "{\"decryptedData\"}; a refusal prints {\"error\"} and exits 1.");
  add_client_options(decrypt_cmd, decrypt.client);
  decrypt_cmd->add_option("--network-key", decrypt.network_key, "network.json")->required();
  decrypt_cmd
      ->add_option("--auth-sig", decrypt.auth_sig,
                   "File with the requester's authSig {sig, derivedVia, signedMessage, address}")
      ->required();
  decrypt_cmd->add_option("--envelope", decrypt.envelope, "File with the envelope to decrypt")
      ->required();
  add_wait_timeout(decrypt_cmd, decrypt.wait_timeout_ms);
  decrypt_cmd->callback([&] { exit_status = cli::run_decrypt(decrypt); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "parse error" with exit code 0 (help goes to stdout); every usage error is 2.
    return app.exit(e) == 0 ? cli::kExitOk : cli::kExitError;
  } catch (const std::exception& e) {
    // Only local failures get here (e.g. no file descriptors for a socket); the broker's answers
    // are values, never exceptions.
    std::cerr << "litc: internal: " << e.what() << '\n';
    return cli::kExitError;
  }
  return exit_status;
}
