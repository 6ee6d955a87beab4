// Whole files: read, write atomically (a temporary file, then rename), and clear the temporary files
// that a killed writer left beside its outputs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

// Reads the whole file at `path` into *out; the message names the path.
Status file_read_all(const std::string& path, std::vector<uint8_t>* out);

// Writes `bytes` to path + ".tmp.<pid>", fsyncs, and renames it over `path`. On failure the temp
// file is removed and any old file at `path` is kept; the message names the path.
Status file_write_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

// The temporary name file_write_atomic uses for `path` in process `pid`.
std::string file_temp_name(const std::string& path, long pid);

// Removes the stale temporary files of `path` (path + ".tmp.<pid>", as file_write_atomic names them)
// that a killed process left behind: those whose process is gone, or whose pid now belongs to a
// process that started after the file was last written (a reused pid). Files of other outputs and
// of live writers are kept. Appends each removed name to *removed (may be null). Native only.
Status file_remove_stale_temps(const std::string& path, std::vector<std::string>* removed);

// The folder of `path` exists and this process may create files in it; the message names it.
Status file_check_writable_dir(const std::string& path);
