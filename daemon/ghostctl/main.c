// SPDX-License-Identifier: GPL-2.0
/*
 * ghostctl: the command line of ghostd. Each command is one request on
 * ghostd's control socket (common/proto.h); status and stats add the
 * kernel's counters, read over generic netlink. Errors are one line on
 * stderr and exit status 1 (2 for bad usage).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/live_enclaves.h"
#include "common/proto.h"
#include "common/xalloc.h"
#include "output.h"

#define EXIT_USAGE		2

/* A reload may start and stop agents; a swap loads a plugin. */
#define RELOAD_TIMEOUT_MS	60000
#define SWAP_TIMEOUT_MS		30000
#define REQUEST_TIMEOUT_MS	10000

static const char usage[] =
	"Usage: ghostctl [--socket PATH] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  status                          enclaves, CPUs, policies, tasks, agents,\n"
	"                                  kernel counters and the last swap\n"
	"  swap ENCLAVE PLUGIN [--params JSON]\n"
	"                                  run PLUGIN in ENCLAVE from now on, until the\n"
	"                                  next reload; no task leaves the enclave\n"
	"  reload                          re-read ghostd's configuration; a bad one\n"
	"                                  changes nothing and says why\n"
	"  add [--enclave NAME] [--process] PID\n"
	"                                  move thread PID (with --process, all threads\n"
	"                                  of process PID) into an enclave: NAME, else\n"
	"                                  the one whose rules match, else the only one\n"
	"  remove [--process] PID          return thread (or process) PID to CFS\n"
	"  run [--enclave NAME] -- CMD [ARG]...\n"
	"                                  run CMD in an enclave, as chrt runs it under\n"
	"                                  a policy\n"
	"  stats [--json | --openmetrics]  counters, as JSON (the default) or OpenMetrics\n"
	"\n"
	"  -s, --socket PATH  ghostd's control socket (default " PROTO_GHOSTD_SOCKET ")\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 done; 1 ghostd refused or could not be reached; 2 bad usage.\n";

static const char *socket_path = PROTO_GHOSTD_SOCKET;

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "ghostctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'ghostctl --help'.\n");
	return EXIT_USAGE;
}

/* Send @request (stolen); 0 with @reply if ghostd said ok, else 1. */
static int request(json_t *request, json_t **reply, int timeout_ms)
{
	char why[512];
	int ret, err;

	*reply = NULL;
	ret = ipc_request(socket_path, request, reply, timeout_ms, why, sizeof(why));
	err = errno;
	json_decref(request);
	if (ret) {
		fprintf(stderr, "ghostctl: %s%s\n", why,
			err == ENOENT || err == ECONNREFUSED ?
			" (is ghostd running?)" : "");
		return EXIT_FAILURE;
	}
	if (!json_is_true(json_object_get(*reply, PROTO_OK))) {
		const char *error = json_string_value(json_object_get(*reply, PROTO_ERROR));

		fprintf(stderr, "ghostctl: %s\n", error ? error : "ghostd refused");
		json_decref(*reply);
		*reply = NULL;
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static json_t *command(const char *cmd)
{
	return json_pack("{s:s}", PROTO_CMD, cmd);
}

/* A pid argument; 0 if it is not one. */
static pid_t parse_pid(const char *arg)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno || *end || end == arg || pid <= 0 || pid > INT32_MAX)
		return 0;
	return pid;
}

/* Kernel counters are a bonus: without them, say so and go on. */
static bool read_kernel(struct live_enclaves *kernel)
{
	char why[256];

	if (live_enclaves_read(kernel, why, sizeof(why)) == 0)
		return true;
	fprintf(stderr, "ghostctl: no kernel counters: %s\n", why);
	return false;
}

static int cmd_status(int argc, char **argv)
{
	struct live_enclaves kernel;
	json_t *reply;
	bool have_kernel;

	(void)argv;
	if (argc > 1)
		return usage_error("status takes no argument, got \"%s\"", argv[1]);
	if (request(command(PROTO_CMD_STATUS), &reply, REQUEST_TIMEOUT_MS))
		return EXIT_FAILURE;
	have_kernel = read_kernel(&kernel);
	output_status(stdout, reply, have_kernel ? &kernel : NULL);
	if (have_kernel)
		live_enclaves_free(&kernel);
	json_decref(reply);
	return EXIT_SUCCESS;
}

static int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "openmetrics", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct live_enclaves kernel;
	bool openmetrics = false, have_kernel;
	json_t *reply, *stats;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == '?')
			return usage_error("%s", "stats takes --json or --openmetrics");
		openmetrics = opt == 'm';
	}
	if (optind < argc)
		return usage_error("stats takes no argument, got \"%s\"", argv[optind]);
	if (request(command(PROTO_CMD_STATS), &reply, REQUEST_TIMEOUT_MS))
		return EXIT_FAILURE;
	have_kernel = read_kernel(&kernel);
	if (openmetrics) {
		output_openmetrics(stdout, reply, have_kernel ? &kernel : NULL);
	} else {
		stats = output_stats_json(reply, have_kernel ? &kernel : NULL);
		json_dumpf(stats, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(stats);
	}
	if (have_kernel)
		live_enclaves_free(&kernel);
	json_decref(reply);
	return EXIT_SUCCESS;
}

static int cmd_swap(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "params", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	json_t *params = NULL, *swap, *reply;
	json_error_t error;
	char blackout[32];
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == '?') {
			json_decref(params);
			return usage_error("%s", "swap takes --params JSON");
		}
		json_decref(params);
		params = json_loads(optarg, 0, &error);
		if (!json_is_object(params)) {
			fprintf(stderr, "ghostctl: --params: expected a JSON object%s%s\n",
				params ? "" : ": ", params ? "" : error.text);
			json_decref(params);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		json_decref(params);
		return usage_error("%s", "swap takes ENCLAVE PLUGIN");
	}
	swap = json_pack("{s:s, s:s, s:s, s:o}", PROTO_CMD, PROTO_CMD_SWAP,
			 PROTO_ENCLAVE, argv[optind], PROTO_PLUGIN, argv[optind + 1],
			 PROTO_PARAMS, params ? params : json_object());
	if (request(swap, &reply, SWAP_TIMEOUT_MS))
		return EXIT_FAILURE;
	output_duration(json_integer_value(json_object_get(reply, PROTO_BLACKOUT_NS)),
			blackout, sizeof(blackout));
	printf("enclave %s runs %s (blackout %s)\n", argv[optind], argv[optind + 1],
	       blackout);
	json_decref(reply);
	return EXIT_SUCCESS;
}

static int cmd_reload(int argc, char **argv)
{
	json_t *reply;

	if (argc > 1)
		return usage_error("reload takes no argument, got \"%s\"", argv[1]);
	if (request(command(PROTO_CMD_RELOAD), &reply, RELOAD_TIMEOUT_MS))
		return EXIT_FAILURE;
	printf("configuration reloaded\n");
	json_decref(reply);
	return EXIT_SUCCESS;
}

/* "add" and "remove": [--enclave NAME] (add only) [--process] PID */
static int cmd_add_remove(int argc, char **argv, bool add)
{
	static const struct option longopts[] = {
		{ "enclave", required_argument, NULL, 'e' },
		{ "process", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *enclave = NULL;
	bool process = false;
	json_t *message, *reply;
	pid_t pid;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == '?' || (opt == 'e' && !add))
			return usage_error("%s", add ?
					   "add takes [--enclave NAME] [--process] PID" :
					   "remove takes [--process] PID");
		if (opt == 'e')
			enclave = optarg;
		else
			process = true;
	}
	if (argc - optind != 1 || !(pid = parse_pid(argv[optind])))
		return usage_error("%s", "expected one PID, a positive integer");
	message = json_pack("{s:s, s:i, s:b}", PROTO_CMD,
			    add ? PROTO_CMD_ADD : PROTO_CMD_REMOVE, PROTO_PID, (int)pid,
			    PROTO_PROCESS, process);
	if (enclave)
		json_object_set_new(message, PROTO_ENCLAVE, json_string(enclave));
	if (request(message, &reply, REQUEST_TIMEOUT_MS))
		return EXIT_FAILURE;
	if (add)
		printf("%s %d is in enclave %s: %" JSON_INTEGER_FORMAT " threads added, %"
		       JSON_INTEGER_FORMAT " already there, %" JSON_INTEGER_FORMAT " failed\n",
		       process ? "process" : "thread", (int)pid,
		       json_string_value(json_object_get(reply, PROTO_ENCLAVE)),
		       json_integer_value(json_object_get(reply, PROTO_ADDED)),
		       json_integer_value(json_object_get(reply, PROTO_PRESENT)),
		       json_integer_value(json_object_get(reply, PROTO_FAILED)));
	else
		printf("%s %d left enclave %s: %" JSON_INTEGER_FORMAT " threads back in CFS\n",
		       process ? "process" : "thread", (int)pid,
		       json_string_value(json_object_get(reply, PROTO_ENCLAVE)),
		       json_integer_value(json_object_get(reply, PROTO_REMOVED)));
	json_decref(reply);
	return EXIT_SUCCESS;
}

/* Onboard ourselves, then become CMD: what chrt does with a policy. */
static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "enclave", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *enclave = NULL;
	json_t *message, *reply;
	int opt;

	/* "+": the command's own options are not ours. */
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (opt == '?')
			return usage_error("%s", "run takes [--enclave NAME] -- CMD [ARG]...");
		enclave = optarg;
	}
	if (optind >= argc)
		return usage_error("%s", "run needs a command to run");
	/* Threads made after the add start in the enclave: there are none yet. */
	message = json_pack("{s:s, s:i, s:b}", PROTO_CMD, PROTO_CMD_ADD,
			    PROTO_PID, (int)getpid(), PROTO_PROCESS, 1);
	if (enclave)
		json_object_set_new(message, PROTO_ENCLAVE, json_string(enclave));
	if (request(message, &reply, REQUEST_TIMEOUT_MS))
		return EXIT_FAILURE;
	json_decref(reply);
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "ghostctl: cannot run %s: %s\n", argv[optind], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "status", cmd_status },
		{ "stats", cmd_stats },
		{ "swap", cmd_swap },
		{ "reload", cmd_reload },
		{ "run", cmd_run },
	};
	int opt;

	json_set_alloc_funcs(xmalloc, free);
	while ((opt = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			socket_path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	/* Each command parses its own options, from its name on. */
	optind = 0;
	if (!strcmp(argv[0], "add") || !strcmp(argv[0], "remove"))
		return cmd_add_remove(argc, argv, !strcmp(argv[0], "add"));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].run(argc, argv);
	return usage_error("unknown command \"%s\"", argv[0]);
}
