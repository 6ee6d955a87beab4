// Whole files (native only: processes and folders): the temporary files a killed writer left are
// removed by the next run when stale, and only then; a folder that cannot be written is named.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include "io/files.h"

namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("vae_test_files_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void touch(const fs::path& path) { std::ofstream(path) << "partial"; }

// The pid of a process that has exited and been reaped.
long dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return static_cast<long>(child);
}

}  // namespace

TEST_CASE("stale temporary files of an output are removed, and only those", "[files]") {
  const fs::path dir = fresh_dir("stale");
  const std::string out = (dir / "m.safetensors").string();
  const long gone = dead_pid(), me = static_cast<long>(::getpid());
  touch(file_temp_name(out, gone));                                // a killed writer's: stale
  touch(file_temp_name(out, me));                                  // a live writer's (this process, now): kept
  touch(file_temp_name((dir / "other.safetensors").string(), gone));  // another output's: kept
  touch(out + ".tmp.notapid");                                     // not a temporary name: kept
  touch(file_temp_name(out + ".ckpt", gone));                      // the checkpoint's, another output: kept
  // a live pid on a file older than that process: the pid was reused, the file is stale
  const std::string reused = file_temp_name((dir / "r.png").string(), me);
  touch(reused);
  struct utimbuf old_times = {946684800, 946684800};  // 2000-01-01
  REQUIRE(::utime(reused.c_str(), &old_times) == 0);

  std::vector<std::string> removed;
  REQUIRE(file_remove_stale_temps(out, &removed).ok);
  CHECK(removed == std::vector<std::string>{file_temp_name(out, gone)});
  CHECK_FALSE(fs::exists(file_temp_name(out, gone)));
  CHECK(fs::exists(file_temp_name(out, me)));
  CHECK(fs::exists(file_temp_name((dir / "other.safetensors").string(), gone)));
  CHECK(fs::exists(out + ".tmp.notapid"));
  CHECK(fs::exists(file_temp_name(out + ".ckpt", gone)));
  removed.clear();
  REQUIRE(file_remove_stale_temps((dir / "r.png").string(), &removed).ok);
  CHECK(removed == std::vector<std::string>{reused});
  fs::remove_all(dir);
}

TEST_CASE("an output in a folder that is missing or not a folder is refused naming it", "[files]") {
  const fs::path dir = fresh_dir("writable");
  CHECK(file_check_writable_dir((dir / "m.safetensors").string()).ok);
  CHECK(file_check_writable_dir("m.safetensors").ok);  // the current folder
  CHECK(file_check_writable_dir((dir / "nowhere" / "m.safetensors").string()).message ==
        "cannot write '" + (dir / "nowhere" / "m.safetensors").string() + "': folder '" + (dir / "nowhere").string() +
            "': No such file or directory");
  touch(dir / "file");
  CHECK(file_check_writable_dir((dir / "file" / "m.safetensors").string()).message ==
        "cannot write '" + (dir / "file" / "m.safetensors").string() + "': '" + (dir / "file").string() + "' is not a folder");
  fs::remove_all(dir);
}
