# Assembles the served folder (cmake -P): the page, the module, the shipped models with their
# manifest, MNIST's four IDX files gzipped (gzip -9), and Fashion-MNIST's as Debian ships them
# (already gzipped), for the page to fetch and decompress. Inputs: SRC (source tree), DST (site
# folder), JS (path of vae-app.js; vae-app.wasm sits beside it), MT_JS (the two-thread build's
# vae-app-mt.js, beside its .wasm and .worker.js; the page loads it when cross-origin isolated).
file(MAKE_DIRECTORY ${DST} ${DST}/weights ${DST}/data)
get_filename_component(js_dir ${JS} DIRECTORY)
file(COPY ${JS} ${js_dir}/vae-app.wasm DESTINATION ${DST})
get_filename_component(mt_dir ${MT_JS} DIRECTORY)
foreach(f vae-app-mt.js vae-app-mt.wasm vae-app-mt.worker.js)
  if(NOT EXISTS ${mt_dir}/${f})
    message(FATAL_ERROR "site: ${mt_dir}/${f} is missing: build the two-thread page first (bash tools/build_web.sh)")
  endif()
  file(COPY ${mt_dir}/${f} DESTINATION ${DST})
endforeach()

# ---- the shipped models, in the picker's order (the first that exists opens the page; the list is
# also in src/app/session/models.cpp); other files of weights/ (classifiers, experiments) are not shipped
set(models mnist-best mnist-z2 mnist-ae-z2 mnist-cvae fashion-z20 mnist-z20 mnist-iwae mnist-seed mnist-gauss fashion-gauss)
file(GLOB stale ${DST}/weights/*.safetensors)
if(stale)
  file(REMOVE ${stale})  # a model no longer shipped must not linger in the site or its manifest
endif()

# The "__metadata__" object of a safetensors file's JSON header, as JSON text (in `out`).
function(safetensors_metadata path out)
  file(READ ${path} len_hex LIMIT 8 HEX)  # little-endian u64 header length
  set(be "")
  foreach(i RANGE 14 0 -2)
    string(SUBSTRING "${len_hex}" ${i} 2 byte)
    string(APPEND be "${byte}")
  endforeach()
  math(EXPR len "0x${be}")
  file(READ ${path} header OFFSET 8 LIMIT ${len})
  string(JSON meta ERROR_VARIABLE err GET "${header}" __metadata__)
  if(err)
    message(FATAL_ERROR "site: ${path}: no readable __metadata__ (${err})")
  endif()
  set(${out} "${meta}" PARENT_SCOPE)
endfunction()

set(manifest "")
set(default_model "")
foreach(name ${models})
  set(w ${SRC}/weights/${name}.safetensors)
  if(NOT EXISTS ${w})
    message(STATUS "site: ${name}.safetensors not in weights/ (yet): not offered")
    continue()
  endif()
  file(COPY ${w} DESTINATION ${DST}/weights)
  safetensors_metadata(${w} meta)
  if(manifest)
    string(APPEND manifest ",\n")
  else()
    set(default_model weights/${name}.safetensors)
  endif()
  string(APPEND manifest "{\"file\": \"weights/${name}.safetensors\", \"metadata\": ${meta}}")
endforeach()
if(NOT default_model)
  message(WARNING "site: none of the shipped models is in weights/: the page opens with random weights")
endif()
set(manifest "[${manifest}]")
file(WRITE ${DST}/weights/manifest.json "${manifest}\n")

# ---- the page: the manifest written into it, so it is there at once
file(READ ${SRC}/web/index.html page)
string(REPLACE "@VAE_MANIFEST@" "${manifest}" page "${page}")
file(WRITE ${DST}/index.html "${page}")

# ---- the font: Debian's DejaVu Sans Condensed, cut down to the glyphs the app draws (Latin, Greek,
# punctuation, arrows, math operators) with fontTools (Debian's python3-fonttools): ~60 KB, not 640
set(font_in /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf)
set(font_out ${DST}/fonts/ui.ttf)
if(NOT EXISTS ${font_in})
  message(FATAL_ERROR "site: ${font_in} is missing: run tools/setup.sh (fonts-dejavu-core)")
endif()
if(NOT EXISTS ${font_out} OR ${font_in} IS_NEWER_THAN ${font_out})
  file(MAKE_DIRECTORY ${DST}/fonts)
  execute_process(COMMAND /usr/bin/python3 -m fontTools.subset ${font_in} --output-file=${font_out}.tmp
                          --unicodes=U+0020-00FF,U+0370-03FF,U+2010-2027,U+2190-2199,U+2200-22FF
                          --layout-features= --no-hinting --desubroutinize
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "site: subsetting ${font_in} failed (python3-fonttools: run tools/setup.sh): ${out}")
  endif()
  file(RENAME ${font_out}.tmp ${font_out})
endif()

# ---- data: MNIST gzipped here; Fashion-MNIST copied gzipped as Debian ships it (prefix "fashion-")
foreach(name train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  set(in ${SRC}/.deps/mnist/${name})
  set(out ${DST}/data/${name}.gz)
  if(NOT EXISTS ${in})
    message(FATAL_ERROR "site: ${in} is missing: run tools/setup.sh")
  endif()
  if(NOT EXISTS ${out} OR ${in} IS_NEWER_THAN ${out})
    execute_process(COMMAND gzip -9 -k -c ${in} OUTPUT_FILE ${out}.tmp RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "site: gzip ${in} failed")
    endif()
    file(RENAME ${out}.tmp ${out})
  endif()
  set(fashion /usr/share/datasets/fashion-mnist/${name}.gz)
  if(EXISTS ${fashion})
    configure_file(${fashion} ${DST}/data/fashion-${name}.gz COPYONLY)
  else()
    message(WARNING "site: ${fashion} is missing (apt-get install dataset-fashion-mnist): Fashion models have no data")
  endif()
endforeach()
