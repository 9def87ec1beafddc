// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the JSON-lines layer carries objects intact over a socketpair,
 * one per line, also several in one write and one split over many; it
 * refuses a line longer than IPC_MAX_LINE (whether it arrives in pieces or
 * at once), malformed JSON and JSON that is not an object, says when the
 * peer hung up (cleanly or mid-message), and times out when nothing comes.
 * Over a listening socket it sets the mode asked for, names the peer, and
 * ipc_request gets the one reply; the reply helpers build what the
 * protocol says.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/proto.h"

static struct ipc_conn ends[2];

static void connect_pair(void)
{
	int fds[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	for (int i = 0; i < 2; i++) {
		memset(&ends[i], 0, sizeof(ends[i]));
		ends[i].fd = fds[i];
	}
}

static void close_pair(void)
{
	ipc_close(&ends[0]);
	ipc_close(&ends[1]);
}

/* Write raw bytes to end 0, as a misbehaving peer would. */
static void send_raw(const char *bytes, size_t len)
{
	while (len) {
		ssize_t n = write(ends[0].fd, bytes, len);

		ck_assert_int_gt(n, 0);
		bytes += n;
		len -= n;
	}
}

START_TEST(round_trip)
{
	json_t *sent = json_pack("{s:s, s:i, s:{s:b}, s:[i,i]}", PROTO_CMD, "swap",
				 PROTO_PID, 42, PROTO_PARAMS, "steal", 1, "list", 1, 2);
	json_t *got;
	char why[256];

	ck_assert_int_eq(ipc_send(&ends[0], sent), 0);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), 1);
	ck_assert(json_equal(sent, got));
	json_decref(got);
	json_decref(sent);
}
END_TEST

START_TEST(several_in_one_write_and_one_in_pieces)
{
	const char *two = "{\"a\":1}\n{\"b\":2}\n";
	json_t *got;
	char why[256];

	send_raw(two, strlen(two));
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(got, "a")), 1);
	json_decref(got);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(got, "b")), 2);
	json_decref(got);
	/* Half a line is no message yet. */
	send_raw("{\"c\":", 5);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 0, why, sizeof(why)), 0);
	ck_assert_ptr_null(got);
	send_raw("3}\n", 3);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(got, "c")), 3);
	json_decref(got);
}
END_TEST

/* A child writes @len bytes of 'x' to end 0, with no newline. */
static pid_t write_long_line(size_t len)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *line = malloc(len);
		ssize_t n;

		memset(line, 'x', len);
		/* The reader stops early: a short write is expected. */
		n = write(ends[0].fd, line, len);
		free(line);
		_exit(n < 0);
	}
	return pid;
}

START_TEST(oversized_line_in_pieces)
{
	pid_t writer = write_long_line(IPC_MAX_LINE + 4096);
	json_t *got;
	char why[256];

	ck_assert_int_eq(ipc_recv(&ends[1], &got, 5000, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "message longer than 1048576 bytes");
	close_pair();
	waitpid(writer, NULL, 0);
}
END_TEST

/*
 * A child sends a valid JSON line of IPC_MAX_LINE + 101 bytes: all but its
 * last 201 bytes first, then, once the reader has taken those in, the rest
 * with the newline in one write, so that the read crossing the limit also
 * completes the line.
 */
static pid_t write_line_crossing_the_limit(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		size_t head = IPC_MAX_LINE - 100;
		char *line = malloc(head + 201);

		memset(line, 'x', head + 201);
		memcpy(line, "{\"x\":\"", 6);
		memcpy(line + head + 198, "\"}\n", 3);
		bool sent = write(ends[0].fd, line, head) == (ssize_t)head;

		usleep(300000);
		sent = sent && write(ends[0].fd, line + head, 201) == 201;
		free(line);
		_exit(sent ? 0 : 1);
	}
	return pid;
}

START_TEST(oversized_line_at_once)
{
	pid_t writer = write_line_crossing_the_limit();
	json_t *got;
	char why[256];

	ck_assert_int_eq(ipc_recv(&ends[1], &got, 5000, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "message longer than 1048576 bytes");
	close_pair();
	waitpid(writer, NULL, 0);
}
END_TEST

START_TEST(malformed_json)
{
	json_t *got;
	char why[256];

	send_raw("{\"cmd\": status}\n", 16);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "malformed message: invalid token near 'status'");
	ck_assert_ptr_null(got);
	/* The bad line is consumed: the next one still reads. */
	send_raw("[1, 2]\n", 7);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "malformed message: not a JSON object");
	send_raw("{}\n", 3);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), 1);
	json_decref(got);
}
END_TEST

START_TEST(hang_ups_and_silence)
{
	json_t *got;
	char why[256];

	ck_assert_int_eq(ipc_recv(&ends[1], &got, 50, why, sizeof(why)), 0);
	send_raw("{\"half\":", 8);
	ipc_close(&ends[0]);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "connection closed mid-message");
	close_pair();
	connect_pair();
	ipc_close(&ends[0]);
	ck_assert_int_eq(ipc_recv(&ends[1], &got, 1000, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "connection closed");
}
END_TEST

START_TEST(replies)
{
	json_t *ok = ipc_reply_ok();
	json_t *error = ipc_reply_error("no enclave %s", "web");

	ck_assert(json_is_true(json_object_get(ok, PROTO_OK)));
	ck_assert_uint_eq(json_object_size(ok), 1);
	ck_assert(json_is_false(json_object_get(error, PROTO_OK)));
	ck_assert_str_eq(json_string_value(json_object_get(error, PROTO_ERROR)),
			 "no enclave web");
	json_decref(ok);
	json_decref(error);
}
END_TEST

START_TEST(peer_is_known)
{
	struct ucred cred;

	ck_assert_int_eq(ipc_peer(&ends[1], &cred), 0);
	ck_assert_int_eq(cred.pid, getpid());
	ck_assert_uint_eq(cred.uid, geteuid());
}
END_TEST

START_TEST(request_over_a_listening_socket)
{
	char path[] = "/tmp/check_ipc.XXXXXX", sock[64], why[256];
	json_t *request = json_pack("{s:s}", PROTO_CMD, PROTO_CMD_STATUS), *reply;
	struct stat st;
	int listen_fd, status;
	pid_t server;

	ck_assert_ptr_nonnull(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/s.sock", path);
	listen_fd = ipc_listen(sock, 0660, (gid_t)-1);
	ck_assert_int_ge(listen_fd, 0);
	ck_assert_int_eq(stat(sock, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	server = fork();
	ck_assert_int_ge(server, 0);
	if (server == 0) {
		struct ipc_conn conn;
		json_t *got, *answer;
		int fd = listen_fd;

		/* The listening socket is non-blocking: wait for the client. */
		while (ipc_accept(fd, &conn))
			usleep(1000);
		if (ipc_recv(&conn, &got, 5000, why, sizeof(why)) != 1)
			_exit(1);
		answer = ipc_reply_ok();
		json_object_set(answer, PROTO_CMD, json_object_get(got, PROTO_CMD));
		_exit(ipc_send(&conn, answer) ? 1 : 0);
	}
	ck_assert_int_eq(ipc_request(sock, request, &reply, 5000, why, sizeof(why)), 0);
	ck_assert(json_is_true(json_object_get(reply, PROTO_OK)));
	ck_assert_str_eq(json_string_value(json_object_get(reply, PROTO_CMD)),
			 PROTO_CMD_STATUS);
	ck_assert_int_eq(waitpid(server, &status, 0), server);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	json_decref(reply);
	close(listen_fd);
	unlink(sock);
	/* Nobody listens now: the request says so. */
	ck_assert_int_eq(ipc_request(sock, request, &reply, 1000, why, sizeof(why)), -1);
	ck_assert_str_eq(why + strlen(why) - strlen("No such file or directory"),
			 "No such file or directory");
	json_decref(request);
	rmdir(path);
}
END_TEST

static Suite *ipc_suite(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("socketpair");

	tcase_add_checked_fixture(tc, connect_pair, close_pair);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, several_in_one_write_and_one_in_pieces);
	tcase_add_test(tc, oversized_line_in_pieces);
	tcase_add_test(tc, oversized_line_at_once);
	tcase_add_test(tc, malformed_json);
	tcase_add_test(tc, hang_ups_and_silence);
	tcase_add_test(tc, peer_is_known);
	suite_add_tcase(s, tc);

	tc = tcase_create("sockets");
	tcase_add_test(tc, replies);
	tcase_add_test(tc, request_over_a_listening_socket);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ipc_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
