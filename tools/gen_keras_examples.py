#!/usr/bin/env python3
"""Save the RNN models of Keras's own examples and common tutorials as
``.keras`` files, for the loader and ``tinyrnn inspect`` tests.

The other generators build models to cover Keras features one at a time.
Users, though, bring the model of the tutorial they followed: an Embedding in
front of a Bidirectional LSTM (keras.io's IMDB example), a RepeatVector
between an encoder and a decoder LSTM (addition_rnn, LSTM autoencoders), a
Normalization layer adapted on the training data, BatchNormalization and
Flatten in front of the head, Masking / ``mask_zero`` for padded batches, a
PReLU, Conv1D front ends (keras.io's FCN classifier, a CNN-LSTM, a causal
dilated audio model).  This script builds fifteen such architectures, plus
six models that only cover masks (see MODELS: each entry
names the architecture, its source and what was scaled down so that every
model stays under about 20k parameters) and saves each one the way a notebook
does:

* in ONE process, without ``clear_session()``, after throwaway models, so
  the layer names carry process-wide counters (``lstm_7``, ``dense_12``);
* Functional or Sequential, as the source builds it, with the training-only
  options the source has (``dropout``, ...).

Every trainable weight gets seeded ``uniform(-0.5, 0.5)`` float32 values
(PReLU's ``alpha`` too, not its zero init), BatchNormalization's
``moving_mean`` seeded ``normal(0, 1)`` and ``moving_variance`` seeded
``uniform(0.5, 2.0)`` (the FCN's instead set to its inputs' mean and
variance over seeded training data, as fitting leaves them: seeded ones
switch most of its ReLU channels off for good); a Normalization layer keeps
what ``adapt()`` computed on seeded data.  Three seeded inputs run through
each model (batch 1, ``training=False``) and the file is saved with
``gen_keras_files.deterministic_saving()``, so the output is byte-identical
from run to run.

A notebook has usually also compiled and fitted the model before
``model.save``.  That adds ``compile_config`` to config.json, the optimizer's
variables (``optimizer/vars/0..``: iterations, learning rate, then the slots)
to model.weights.h5 and an "Optimizer params" line to ``model.summary()``
(whose "Total params" then counts them too).  So three of the models (those
with ``trained`` in MODELS) are also saved that way in ``trained/``: compiled
with the source's optimizer and loss, fitted one step on 8 seeded examples
(op determinism on), then given the fixture's weights back, so the outputs
are those of ``<stem>.json``; ``trained/<stem>.json`` holds what differs.

Per model the script writes ``<stem>.keras`` and ``<stem>.json`` (the
keras-notebook fixture format: DSL, architecture and source, Keras's layer
names and weight groups, per-layer parameters and weight shapes, weights in
``get_weights()`` order, the HDF5 dataset holding each of them, the inputs
and Keras's outputs, ``model.summary()``), and ``MANIFEST.json`` (every file
with its size and sha256).  Checks: each ``.keras`` is loaded back by
``keras.saving.load_model`` and must give the same outputs (exactly) and
the same weights; the outputs must match an independent float64 NumPy
reference (< 1e-4) built on gen_keras_fixtures' one (masks: an RNN skips the
masked steps, carrying its state); sigmoid / softmax heads must not saturate.

Run from anywhere:  python3 tools/gen_keras_examples.py
Output: tests/fixtures/keras-examples/ (CI never runs Python).
"""

import hashlib
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_keras_files as KF  # noqa: E402  (imports gen_keras_fixtures: env)

G = KF.G
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

L = keras.layers

BASE_SEED = 20261205
OUT_DIR = G.REPO_ROOT / "tests" / "fixtures" / "keras-examples"
WEIGHT_RANGE = 0.5
N_CASES = 3
FIT_BATCH = 8
TRAINED_DIR = "trained"
REF_TOL = 1e-4

# One fit step must give the same optimizer variables on every run.
tf.config.experimental.enable_op_determinism()


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------
def normals(T, F):
    return lambda rng: rng.standard_normal((T, F)).astype(np.float32)


def one_hot(T, n):
    def make(rng):
        x = np.zeros((T, n), np.float32)
        x[np.arange(T), rng.integers(0, n, T)] = 1.0
        return x
    return make


# addition_rnn: "a+b" padded with spaces to MAXLEN, reversed, one-hot over
# sorted("0123456789+ ") (space first, then "+", then the digits).
ADD_CHARS = sorted(set("0123456789+ "))
ADD_DIGITS = 3
ADD_MAXLEN = 2 * ADD_DIGITS + 1


def addition_query(rng):
    def number():
        return int("".join(str(rng.integers(0, 10))
                           for _ in range(rng.integers(1, ADD_DIGITS + 1))))
    a, b = number(), number()
    q = f"{a}+{b}"
    query = (q + " " * (ADD_MAXLEN - len(q)))[::-1]
    x = np.zeros((ADD_MAXLEN, len(ADD_CHARS)), np.float32)
    for i, ch in enumerate(query):
        x[i, ADD_CHARS.index(ch)] = 1.0
    return x


# keyword_spotting: MFCC-like frames, every coefficient with its own offset
# and spread (what Normalization.adapt() is for).  Fixed per script.
_MFCC_RNG = np.random.default_rng(BASE_SEED - 1)
MFCC_MEAN = _MFCC_RNG.uniform(-6.0, 6.0, 10)
MFCC_STD = _MFCC_RNG.uniform(0.5, 4.0, 10)


def mfcc_frames(rng):
    return (MFCC_MEAN + MFCC_STD * rng.standard_normal((16, 10))).astype(
        np.float32)


# Integer ids.  imdb: the example pads every review to maxlen with
# keras.utils.pad_sequences, at the front ("pre"); without a mask the zeros
# are ordinary tokens.  The model is declared with that length (keras.io
# writes shape=(None,) but only ever feeds maxlen ids): a Bidirectional
# layer after other layers buffers the whole sequence, which tinyrnn does
# only for a known length.
IMDB_VOCAB = 200
IMDB_MAXLEN = 12
IMDB_CASES = [(12, 0), (12, 5), (12, 9)]  # (length, leading zero padding)


def imdb_case(i):
    def make(rng):
        T, pad = IMDB_CASES[i]
        ids = rng.integers(1, IMDB_VOCAB, T).astype(np.int32)
        ids[:pad] = 0
        return ids
    return make


def imdb_fit(rng):
    return rng.integers(0, IMDB_VOCAB, 12).astype(np.int32)


# text_classification_masked: T = 10 ids in 1..99, zeros (masked by
# mask_zero) as trailing padding and inside the sequence.
MASKED_ZEROS = [[4], [2, 7, 8, 9], [0, 3, 5, 6, 7, 8, 9]]


def masked_ids(i):
    def make(rng):
        ids = rng.integers(1, 100, 10).astype(np.int32)
        ids[MASKED_ZEROS[i]] = 0
        return ids
    return make


# sensor_masking: whole timesteps of exactly 0.0 are masked (trailing
# padding and one inside); case 1 also has a step with one feature 0.0 and
# the others not, which Masking keeps (it masks a step only when EVERY
# feature equals mask_value).
SENSOR_ZERO_STEPS = [[5], [3, 7, 8, 9], [1, 5, 6, 7, 8, 9]]


def sensor_case(i):
    def make(rng):
        x = rng.standard_normal((10, 3)).astype(np.float32)
        x[SENSOR_ZERO_STEPS[i]] = 0.0
        if i == 1:
            x[5, 1] = 0.0
        return x
    return make


# audio_causal_gru: mono 48 kHz guitar-like blocks of any length
# (Input((None, 1))): a seeded note (a guitar fundamental, two harmonics,
# decaying, up to near full scale) plus a little noise; the 9-sample case is
# shorter than the convolutions' receptive field (15 samples).
AUDIO_LENGTHS = [24, 9, 40]
AUDIO_RATE = 48000.0


def audio_block(i):
    def make(rng):
        n = AUDIO_LENGTHS[i]
        t = np.arange(n) / AUDIO_RATE
        f, phase = rng.uniform(82.0, 1320.0), rng.uniform(0, 2 * np.pi)
        note = sum(a * np.sin(2 * np.pi * k * f * t + k * phase)
                   for k, a in ((1, 1.0), (2, 0.5), (3, 0.25)))
        x = rng.uniform(0.4, 0.55) * np.exp(-t * rng.uniform(10.0, 200.0)) \
            * note + 0.02 * rng.standard_normal(n)
        return x[:, None].astype(np.float32)
    return make


def same(make):
    return [make] * N_CASES


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------
def weather_forecasting():
    # keras.io timeseries_weather_forecasting: sequence_length 120 -> 12
    # (past 720 at step 6), 7 selected features; LSTM(32) kept.
    inputs = keras.layers.Input(shape=(12, 7))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    return keras.Model(inputs=inputs, outputs=outputs)


def imdb_bidirectional_lstm():
    # keras.io bidirectional_lstm_imdb: max_features 20000 -> 200,
    # Embedding 128 -> 8, LSTM 64 -> 8, maxlen 200 -> 12 (see IMDB_CASES).
    inputs = keras.Input(shape=(IMDB_MAXLEN,), dtype="int32")
    x = L.Embedding(IMDB_VOCAB, 8)(inputs)
    x = L.Bidirectional(L.LSTM(8, return_sequences=True))(x)
    x = L.Bidirectional(L.LSTM(8))(x)
    outputs = L.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def char_text_generation():
    # keras.io lstm_character_level_text_generation: maxlen 40 -> 10,
    # len(chars) 56 -> 20, LSTM 128 -> 16.
    return keras.Sequential([
        keras.Input(shape=(10, 20)),
        L.LSTM(16),
        L.Dense(20, activation="softmax"),
    ])


def number_addition():
    # keras.io addition_rnn: DIGITS 3 (MAXLEN 7, 12 chars) kept,
    # LSTM 128 -> 16, num_layers 1.  Dense on the decoder's sequence.
    model = keras.Sequential()
    model.add(L.Input((ADD_MAXLEN, len(ADD_CHARS))))
    model.add(L.LSTM(16))
    model.add(L.RepeatVector(ADD_DIGITS + 1))
    model.add(L.LSTM(16, return_sequences=True))
    model.add(L.Dense(len(ADD_CHARS), activation="softmax"))
    return model


def lstm_autoencoder():
    # Keras blog sequence-to-sequence autoencoder / MLM LSTM autoencoder:
    # timesteps 10, 3 features, latent 100 -> 8, decoder 100 -> 8.
    inputs = keras.Input(shape=(10, 3))
    encoded = L.LSTM(8)(inputs)
    decoded = L.RepeatVector(10)(encoded)
    decoded = L.LSTM(8, return_sequences=True)(decoded)
    outputs = L.TimeDistributed(L.Dense(3))(decoded)
    return keras.Model(inputs, outputs)


def keyword_spotting():
    # TinyML keyword spotting: 49 MFCC frames x 10 -> 16 x 10, 4 keywords,
    # GRU 64 -> 16 with its dropout kept.
    return keras.Sequential([
        keras.Input(shape=(16, 10)),
        L.Normalization(),
        L.GRU(16, dropout=0.1),
        L.Dense(4, activation="softmax"),
    ])


def activity_recognition():
    # MLM HAR LSTM: 128 timesteps -> 16, 9 features kept, LSTM 100 -> 16,
    # Dense 100 -> 16, 6 classes kept, Dropout(0.5) kept.
    model = keras.Sequential()
    model.add(keras.Input(shape=(16, 9)))
    model.add(L.LSTM(16))
    model.add(L.Dropout(0.5))
    model.add(L.Dense(16, activation="relu"))
    model.add(L.Dense(6, activation="softmax"))
    return model


def text_classification_masked():
    # keras.io masking guide, Functional Embedding(mask_zero=True) -> RNN:
    # input_dim 5000 -> 100, output_dim 16 -> 8, LSTM(32) -> GRU(8), plus a
    # sigmoid head.
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = L.Embedding(input_dim=100, output_dim=8, mask_zero=True)(inputs)
    x = L.GRU(8)(x)
    outputs = L.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def sensor_masking():
    # keras.io masking guide, Masking layer in a Sequential model: 10 steps of
    # 3 features, LSTM 32 -> 8, Dense(1) head.
    return keras.Sequential([
        keras.Input(shape=(10, 3)),
        L.Masking(mask_value=0.0),
        L.LSTM(8),
        L.Dense(1),
    ])


def lstm_flatten_batchnorm():
    # Forecasting-tutorial shape: 8 steps x 4 features, LSTM 64 -> 8.
    return keras.Sequential([
        keras.Input(shape=(8, 4)),
        L.LSTM(8, return_sequences=True),
        L.BatchNormalization(),
        L.Flatten(),
        L.Dense(1),
    ])


def stacked_gru_layernorm():
    # Stacked GRU with LayerNormalization between the layers: 12 x 4,
    # GRU 64 -> 8, 3 classes.
    inputs = keras.Input(shape=(12, 4))
    x = L.GRU(8, return_sequences=True)(inputs)
    x = L.LayerNormalization()(x)
    x = L.GRU(8)(x)
    outputs = L.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def prelu_head():
    # SimpleRNN with a Dense + PReLU head: 6 x 5, units 64 -> 8.
    return keras.Sequential([
        keras.Input(shape=(6, 5)),
        L.SimpleRNN(8),
        L.Dense(8),
        L.PReLU(),
        L.Dense(2),
    ])


def fcn_classifier():
    # keras.io timeseries_classification_from_scratch (FordA) make_model():
    # three Conv1D / BatchNormalization / ReLU blocks, global average
    # pooling, softmax head.  500 steps -> 24, filters 64 -> 8 (1 feature,
    # 2 classes kept).
    input_layer = keras.layers.Input((24, 1))

    conv1 = keras.layers.Conv1D(filters=8, kernel_size=3,
                                padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)

    conv2 = keras.layers.Conv1D(filters=8, kernel_size=3,
                                padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)

    conv3 = keras.layers.Conv1D(filters=8, kernel_size=3,
                                padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)

    gap = keras.layers.GlobalAveragePooling1D()(conv3)

    output_layer = keras.layers.Dense(2, activation="softmax")(gap)

    return keras.models.Model(inputs=input_layer, outputs=output_layer)


def cnn_lstm_activity():
    # CNN-LSTM for UCI HAR, the common 1-D form: MLM's 1D CNN blocks (two
    # valid Conv1D, Dropout(0.5), MaxPooling1D(2)) feeding an LSTM instead
    # of Flatten.  128 timesteps -> 32, filters 64 -> 16, LSTM 100 -> 16,
    # Dense 100 -> 16 (9 features, 6 classes kept).
    model = keras.Sequential()
    model.add(keras.Input(shape=(32, 9)))
    model.add(L.Conv1D(filters=16, kernel_size=3, activation="relu"))
    model.add(L.Conv1D(filters=16, kernel_size=3, activation="relu"))
    model.add(L.Dropout(0.5))
    model.add(L.MaxPooling1D(pool_size=2))
    model.add(L.LSTM(16))
    model.add(L.Dense(16, activation="relu"))
    model.add(L.Dense(6, activation="softmax"))
    return model


def audio_causal_gru():
    # Real-time audio effect / amp model (what RTNeural runs): causal dilated
    # Conv1D stack, a GRU over the samples, one output sample per input
    # sample.  Any block length.
    return keras.Sequential([
        keras.Input(shape=(None, 1)),
        L.Conv1D(8, 3, padding="causal", dilation_rate=1, activation="tanh"),
        L.Conv1D(8, 3, padding="causal", dilation_rate=2, activation="tanh"),
        L.Conv1D(8, 3, padding="causal", dilation_rate=4),
        L.GRU(8, return_sequences=True),
        L.Dense(1),
    ])


def masks_through_sequences():
    # Not an example: Keras's masks where they travel furthest.  ids with
    # zeros (masked) inside and at the end; SimpleRNN and GRU returning
    # sequences pass the mask on (a masked step repeats the previous
    # output), the Dense between them keeps it, the last GRU returns them.
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = L.Embedding(30, 4, mask_zero=True)(inputs)
    x = L.SimpleRNN(5, return_sequences=True)(x)
    x = L.Dense(3, activation="tanh")(x)
    outputs = L.GRU(2, return_sequences=True)(x)
    return keras.Model(inputs, outputs)


def masking_value_chain():
    # Not an example: Masking with another value, a Dense and a dropout
    # between it and two LSTMs, the first passing the mask to the second.
    return keras.Sequential([
        keras.Input(shape=(9, 3)),
        L.Masking(mask_value=0.5),
        L.Dense(4, activation="relu"),
        L.Dropout(0.2),
        L.LSTM(3, return_sequences=True),
        L.LSTM(2),
    ])


def masked_bidirectional():
    # Not an example: a mask read by a Bidirectional returning sequences
    # (zeros at masked steps), then by the GRU after it.
    inputs = keras.Input(shape=(10,), dtype="int32")
    x = L.Embedding(40, 4, mask_zero=True)(inputs)
    x = L.Bidirectional(L.LSTM(3, return_sequences=True))(x)
    x = L.GRU(2)(x)
    return keras.Model(inputs, L.Dense(1)(x))


def masking_bidirectional_last():
    # Not an example: Masking read by a Bidirectional returning one vector.
    return keras.Sequential([
        keras.Input(shape=(8, 3)),
        L.Masking(),
        L.Bidirectional(L.GRU(3), merge_mode="sum"),
        L.Dense(2),
    ])


def masked_go_backwards():
    # Not an example: a mask read by a go_backwards layer returning
    # sequences (outputs in its reading order, the mask passed on in time
    # order, as Keras does), then by an LSTM.
    return keras.Sequential([
        keras.Input(shape=(10,), dtype="int32"),
        L.Embedding(30, 4, mask_zero=True),
        L.SimpleRNN(4, go_backwards=True, return_sequences=True),
        L.LSTM(3),
        L.Dense(1),
    ])


def masked_time_distributed():
    # Not an example: the mask reaches the GRU across a TimeDistributed
    # (which does not support masking itself: Keras 3 hands the mask along
    # the graph).
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = L.Embedding(30, 4, mask_zero=True)(inputs)
    x = L.TimeDistributed(L.Dense(4))(x)
    x = L.GRU(3)(x)
    return keras.Model(inputs, L.Dense(1)(x))


def masking_conv_lstm():
    # Not an example: Conv1D does not support masks, so Keras 3 drops the
    # Masking layer's mask there; the LSTM after it reads every timestep
    # (the masked ones as the zeros Masking wrote, convolved).
    inputs = keras.Input((8, 3))
    x = L.Masking()(inputs)
    x = L.Conv1D(4, 3, padding="same", activation="relu")(x)
    x = L.LSTM(3)(x)
    return keras.Model(inputs, L.Dense(1)(x))


def masked_causal_conv():
    # Not an example: an Embedding(mask_zero) mask ends at a causal Conv1D
    # too; the model still streams (any length).
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        L.Embedding(30, 4, mask_zero=True),
        L.Conv1D(4, 2, padding="causal", dilation_rate=2),
        L.GRU(3, return_sequences=True),
    ])


def masked_global_average():
    # Not an example: GlobalAveragePooling1D averages the kept timesteps
    # only (ids padded with zeros, as a bag-of-embeddings classifier reads
    # them).
    inputs = keras.Input((10,), dtype="int32")
    x = L.Embedding(50, 6, mask_zero=True)(inputs)
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dense(8, activation="relu")(x)
    return keras.Model(inputs, L.Dense(1, activation="sigmoid")(x))


def masking_lstm_average():
    # Not an example: the mask passes an LSTM returning sequences and reaches
    # the average, which leaves the masked steps out.
    return keras.Sequential([
        keras.Input((8, 3)),
        L.Masking(),
        L.LSTM(4, return_sequences=True),
        L.GlobalAveragePooling1D(),
        L.Dense(2),
    ])


def ids_with_zeros(vocab, zeros):
    def pick(i):
        def make(rng):
            ids = rng.integers(1, vocab, 10).astype(np.int32)
            ids[zeros[i]] = 0
            return ids
        return make
    return [pick(i) for i in range(N_CASES)]


def sensor_steps(zeros):
    def pick(i):
        def make(rng):
            x = rng.standard_normal((8, 3)).astype(np.float32)
            x[zeros[i]] = 0.0
            return x
        return make
    return [pick(i) for i in range(N_CASES)]


MASK_CHAIN_ZEROS = [[2], [0, 4, 7, 8, 9, 10], [5, 6, 11]]


def chain_ids(i):
    def make(rng):
        ids = rng.integers(1, 30, 12).astype(np.int32)
        ids[MASK_CHAIN_ZEROS[i]] = 0
        return ids
    return make


MASK_VALUE_STEPS = [[8], [0, 3, 4], [2, 6, 7, 8]]


def half_masked(i):
    def make(rng):
        x = rng.standard_normal((9, 3)).astype(np.float32)
        x[MASK_VALUE_STEPS[i]] = 0.5
        return x
    return make


def one_hot_labels(n):
    return lambda rng, k: np.eye(n, dtype=np.float32)[rng.integers(0, n, k)]


def sparse_labels(n):
    return lambda rng, k: rng.integers(0, n, k).astype(np.int32)


def binary_labels(rng, k):
    return rng.integers(0, 2, (k, 1)).astype(np.float32)


KERAS_IO = "https://keras.io/"
MASKING_GUIDE = KERAS_IO + "guides/understanding_masking_and_padding/"

# stem, architecture, source, scaled, dsl, build, inputs (one maker per
# case), adapt (data for the Normalization layer), batch_statistics (data
# whose statistics become BatchNormalization's moving mean / variance, see
# data_moving_statistics; else they are seeded), trained (the source's
# compile arguments and a fit batch maker: also saved compiled and fitted,
# see TRAINED_DIR).
MODELS = [
    dict(stem="weather_forecasting",
         architecture="Timeseries forecasting for weather prediction "
                      "(LSTM on 7 weather features)",
         source=KERAS_IO
         + "examples/timeseries/timeseries_weather_forecasting/",
         scaled="sequence_length 120 -> 12",
         dsl="input [12, 7]; lstm(32); dense(1);",
         build=weather_forecasting, inputs=same(normals(12, 7))),
    dict(stem="imdb_bidirectional_lstm",
         architecture="Bidirectional LSTM on IMDB (text classification)",
         source=KERAS_IO + "examples/nlp/bidirectional_lstm_imdb/",
         scaled="max_features 20000 -> 200, Embedding 128 -> 8, "
                "LSTM 64 -> 8, maxlen 200 -> 12 (Input(shape=(maxlen,)) "
                "where keras.io writes shape=(None,) and feeds maxlen ids); "
                "0, 5 and 9 leading zeros (pad_sequences' 'pre' padding)",
         dsl="input [12]; embedding(200, 8); "
             "bidirectional(lstm(8, return_sequences = true)); "
             "bidirectional(lstm(8)); dense(1, activation = sigmoid);",
         build=imdb_bidirectional_lstm,
         inputs=[imdb_case(i) for i in range(N_CASES)],
         trained=dict(optimizer=lambda: "adam", loss="binary_crossentropy",
                      metrics=["accuracy"], fit_x=imdb_fit,
                      fit_y=binary_labels)),
    dict(stem="char_text_generation",
         architecture="Character-level text generation with LSTM",
         source=KERAS_IO
         + "examples/generative/lstm_character_level_text_generation/",
         scaled="maxlen 40 -> 10, len(chars) 56 -> 20, LSTM 128 -> 16; "
                "inputs are one-hot characters",
         dsl="input [10, 20]; lstm(16); dense(20, activation = softmax);",
         build=char_text_generation, inputs=same(one_hot(10, 20)),
         trained=dict(optimizer=lambda: keras.optimizers.RMSprop(
             learning_rate=0.01), loss="categorical_crossentropy",
             metrics=None, fit_x=one_hot(10, 20),
             fit_y=one_hot_labels(20))),
    dict(stem="number_addition",
         architecture="Sequence to sequence learning for performing number "
                      "addition (LSTM encoder, RepeatVector, LSTM decoder)",
         source=KERAS_IO + "examples/nlp/addition_rnn/",
         scaled="LSTM 128 -> 16 (DIGITS 3, MAXLEN 7, 12 chars kept); inputs "
                "are seeded 'a+b' queries, space-padded to 7, reversed and "
                "one-hot encoded as the example does",
         dsl="input [7, 12]; lstm(16); repeat_vector(4); "
             "lstm(16, return_sequences = true); "
             "dense(12, activation = softmax);",
         build=number_addition, inputs=same(addition_query)),
    dict(stem="lstm_autoencoder",
         architecture="LSTM autoencoder (sequence-to-sequence: LSTM encoder, "
                      "RepeatVector, LSTM decoder, TimeDistributed Dense)",
         source="https://blog.keras.io/building-autoencoders-in-keras.html; "
                "https://machinelearningmastery.com/lstm-autoencoders/",
         scaled="latent 100 -> 8, decoder 100 -> 8, 10 steps of 3 features",
         dsl="input [10, 3]; lstm(8); repeat_vector(10); "
             "lstm(8, return_sequences = true); time_distributed(dense(3));",
         build=lstm_autoencoder, inputs=same(normals(10, 3))),
    dict(stem="keyword_spotting",
         architecture="TinyML keyword spotting (MFCC frames, Normalization "
                      "adapted on the training data, GRU, softmax over "
                      "keywords)",
         source="TinyML keyword-spotting style (no single source): MFCC "
                "frames into a small GRU; Normalization adapted on the "
                "training features first, as in "
                "https://www.tensorflow.org/tutorials/audio/simple_audio "
                "(a CNN there)",
         scaled="49 frames -> 16 frames of 10 MFCCs, GRU 64 -> 16, "
                "4 keywords; Normalization adapted on 64 seeded examples "
                "with per-coefficient offsets and spreads",
         dsl="input [16, 10]; normalization(); gru(16); "
             "dense(4, activation = softmax);",
         build=keyword_spotting, inputs=same(mfcc_frames),
         adapt=lambda rng: np.stack([mfcc_frames(rng) for _ in range(64)]),
         trained=dict(optimizer=lambda: "adam",
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], fit_x=mfcc_frames,
                      fit_y=sparse_labels(4))),
    dict(stem="activity_recognition",
         architecture="LSTM for human activity recognition (UCI HAR)",
         source="https://machinelearningmastery.com/how-to-develop-rnn-"
                "models-for-human-activity-recognition-time-series-"
                "classification/",
         scaled="128 timesteps -> 16, LSTM 100 -> 16, Dense 100 -> 16 "
                "(9 features, 6 classes, Dropout(0.5) kept)",
         dsl="input [16, 9]; lstm(16); dropout(0.5); "
             "dense(16, activation = relu); dense(6, activation = softmax);",
         build=activity_recognition, inputs=same(normals(16, 9))),
    dict(stem="text_classification_masked",
         architecture="Embedding(mask_zero=True) -> RNN (Understanding "
                      "masking & padding), with a sigmoid head",
         source=MASKING_GUIDE,
         scaled="input_dim 5000 -> 100, output_dim 16 -> 8, LSTM(32) -> "
                "GRU(8); 10 ids per case, zeros at "
                + ", ".join(str(z) for z in MASKED_ZEROS),
         dsl="input [_]; embedding(100, 8, mask_zero = true); gru(8); "
             "dense(1, activation = sigmoid);",
         build=text_classification_masked,
         inputs=[masked_ids(i) for i in range(N_CASES)]),
    dict(stem="sensor_masking",
         architecture="Masking layer in front of an LSTM (Understanding "
                      "masking & padding), with a Dense head",
         source=MASKING_GUIDE,
         scaled="10 steps of 3 features, LSTM 32 -> 8; all-zero steps at "
                + ", ".join(str(z) for z in SENSOR_ZERO_STEPS)
                + " (case 1's step 5 has one zero feature, not masked)",
         dsl="input [10, 3]; masking(); lstm(8); dense(1);",
         build=sensor_masking,
         inputs=[sensor_case(i) for i in range(N_CASES)]),
    dict(stem="lstm_flatten_batchnorm",
         architecture="LSTM sequence -> BatchNormalization -> Flatten -> "
                      "Dense (common time-series forecasting tutorial shape)",
         source="common time-series forecasting tutorial pattern (no single "
                "source)",
         scaled="8 steps x 4 features, LSTM 64 -> 8",
         dsl="input [8, 4]; lstm(8, return_sequences = true); "
             "batch_normalization(); flatten(); dense(1);",
         build=lstm_flatten_batchnorm, inputs=same(normals(8, 4))),
    dict(stem="stacked_gru_layernorm",
         architecture="Stacked GRU with LayerNormalization between the "
                      "layers, softmax classifier",
         source="common stacked-RNN classifier pattern (no single source)",
         scaled="12 steps x 4 features, GRU 64 -> 8, 3 classes",
         dsl="input [12, 4]; gru(8, return_sequences = true); "
             "layer_normalization(); gru(8); dense(3, activation = softmax);",
         build=stacked_gru_layernorm, inputs=same(normals(12, 4))),
    dict(stem="prelu_head",
         architecture="SimpleRNN with a Dense + PReLU head",
         source="common SimpleRNN regression pattern (no single source)",
         scaled="6 steps x 5 features, SimpleRNN 64 -> 8, Dense 64 -> 8; "
                "PReLU alpha seeded uniform(-0.5, 0.5), not its zero init",
         dsl="input [6, 5]; simple_rnn(8); dense(8); prelu(); dense(2);",
         build=prelu_head, inputs=same(normals(6, 5))),
    # Not examples: how far Keras's masks travel, for tests/examples.rs.
    dict(stem="masks_through_sequences",
         architecture="(coverage) Embedding(mask_zero) -> SimpleRNN and GRU "
                      "returning sequences, a Dense between",
         source=MASKING_GUIDE,
         scaled="12 ids with zeros at "
                + ", ".join(str(z) for z in MASK_CHAIN_ZEROS),
         dsl="input [_]; embedding(30, 4, mask_zero = true); "
             "simple_rnn(5, return_sequences = true); "
             "dense(3, activation = tanh); gru(2, return_sequences = true);",
         build=masks_through_sequences,
         inputs=[chain_ids(i) for i in range(N_CASES)]),
    dict(stem="masking_value_chain",
         architecture="(coverage) Masking(mask_value=0.5) -> Dense -> "
                      "Dropout -> LSTM(return_sequences) -> LSTM",
         source=MASKING_GUIDE,
         scaled="9 steps of 3 features; steps equal to 0.5 at "
                + ", ".join(str(z) for z in MASK_VALUE_STEPS),
         dsl="input [9, 3]; masking(mask_value = 0.5); "
             "dense(4, activation = relu); dropout(0.2); "
             "lstm(3, return_sequences = true); lstm(2);",
         build=masking_value_chain,
         inputs=[half_masked(i) for i in range(N_CASES)]),
    dict(stem="masked_bidirectional",
         architecture="(coverage) Embedding(mask_zero) -> Bidirectional(LSTM, "
                      "return_sequences) -> GRU -> Dense, the mask read by both",
         source=MASKING_GUIDE,
         scaled="10 ids with zeros in front, inside and at the end",
         dsl="input [10]; embedding(40, 4, mask_zero = true); "
             "bidirectional(lstm(3, return_sequences = true)); gru(2); "
             "dense(1);",
         build=masked_bidirectional,
         inputs=ids_with_zeros(40, [[0, 1], [4, 9], [2, 5, 6]])),
    dict(stem="masking_bidirectional_last",
         architecture="(coverage) Masking -> Bidirectional(GRU, sum) -> Dense",
         source=MASKING_GUIDE,
         scaled="8 steps of 3 features, all-zero steps masked",
         dsl="input [8, 3]; masking(); bidirectional(gru(3), merge_mode = sum); "
             "dense(2);",
         build=masking_bidirectional_last,
         inputs=sensor_steps([[7], [0, 3], [1, 5, 6, 7]])),
    dict(stem="masked_go_backwards",
         architecture="(coverage) Embedding(mask_zero) -> SimpleRNN(go_backwards, "
                      "return_sequences) -> LSTM -> Dense",
         source=MASKING_GUIDE,
         scaled="10 ids with zeros in front, inside and at the end",
         dsl="input [10]; embedding(30, 4, mask_zero = true); "
             "simple_rnn(4, go_backwards = true, return_sequences = true); "
             "lstm(3); dense(1);",
         build=masked_go_backwards,
         inputs=ids_with_zeros(30, [[9], [0, 1, 5], [3, 7, 8]])),
    dict(stem="masked_time_distributed",
         architecture="(coverage) Embedding(mask_zero) -> TimeDistributed(Dense) "
                      "-> GRU (masked) -> Dense",
         source=MASKING_GUIDE,
         scaled="10 ids with zeros",
         dsl="input [_]; embedding(30, 4, mask_zero = true); "
             "time_distributed(dense(4)); gru(3); dense(1);",
         build=masked_time_distributed,
         inputs=ids_with_zeros(30, [[3], [0, 8, 9], [2, 4]])),
    # Convolutional front ends (issue 15), after the others so that their
    # seeds (BASE_SEED + index) stay as they were.
    dict(stem="fcn_classifier",
         architecture="Fully convolutional network for time series "
                      "classification (3 x Conv1D / BatchNormalization / "
                      "ReLU, GlobalAveragePooling1D, softmax)",
         source=KERAS_IO
         + "examples/timeseries/timeseries_classification_from_scratch/",
         scaled="500 steps -> 24, filters 64 -> 8 (FordA's 1 feature and 2 "
                "classes kept); BatchNormalization's moving mean / variance "
                "set as fitting leaves them, not their 0 / 1 init: the "
                "mean and variance of each one's input over 64 seeded "
                "normal(0, 1) series (FordA's are z-normalised), computed "
                "in float64 and set with set_weights",
         dsl="input [24, 1]; conv1d(8, 3, padding = same); "
             "batch_normalization(); relu(); "
             "conv1d(8, 3, padding = same); batch_normalization(); relu(); "
             "conv1d(8, 3, padding = same); batch_normalization(); relu(); "
             "global_average_pooling1d(); dense(2, activation = softmax);",
         build=fcn_classifier, inputs=same(normals(24, 1)),
         batch_statistics=lambda rng: [normals(24, 1)(rng)
                                       for _ in range(64)]),
    dict(stem="cnn_lstm_activity",
         architecture="CNN-LSTM for human activity recognition (UCI HAR): "
                      "two valid Conv1D, Dropout, MaxPooling1D, LSTM, "
                      "Dense head",
         source="https://machinelearningmastery.com/how-to-develop-rnn-"
                "models-for-human-activity-recognition-time-series-"
                "classification/ (CNN-LSTM), in the common 1-D form: the "
                "Conv1D blocks of https://machinelearningmastery.com/cnn-"
                "models-for-human-activity-recognition-time-series-"
                "classification/ feeding an LSTM",
         scaled="128 timesteps -> 32, filters 64 -> 16, LSTM 100 -> 16, "
                "Dense 100 -> 16 (9 features, 6 classes, Dropout(0.5) "
                "kept); the valid convolutions shrink 32 steps to 30 and "
                "28, pooled to 14",
         dsl="input [32, 9]; conv1d(16, 3, activation = relu); "
             "conv1d(16, 3, activation = relu); dropout(0.5); "
             "max_pooling1d(2); lstm(16); dense(16, activation = relu); "
             "dense(6, activation = softmax);",
         build=cnn_lstm_activity, inputs=same(normals(32, 9))),
    dict(stem="audio_causal_gru",
         architecture="Real-time audio effect / amplifier model: causal "
                      "dilated Conv1D stack, GRU returning sequences, "
                      "Dense(1) per sample",
         source="RTNeural's use case (https://github.com/"
                "jatinchowdhury18/RTNeural), GuitarML-style amp emulation "
                "(Wright et al., 'Real-Time Guitar Amplifier Emulation with "
                "Deep Learning', 2020): no single source",
         scaled="3 x Conv1D(8, 3, padding='causal', dilation 1 / 2 / 4; "
                "tanh on the first two), GRU(8), Dense(1); Input((None, 1)): "
                "blocks of "
                + ", ".join(str(n) for n in AUDIO_LENGTHS)
                + " samples at 48 kHz (a seeded decaying note with two "
                "harmonics, plus noise)",
         dsl="input [_, 1]; "
             "conv1d(8, 3, padding = causal, activation = tanh); "
             "conv1d(8, 3, padding = causal, dilation_rate = 2, "
             "activation = tanh); "
             "conv1d(8, 3, padding = causal, dilation_rate = 4); "
             "gru(8, return_sequences = true); dense(1);",
         build=audio_causal_gru,
         inputs=[audio_block(i) for i in range(N_CASES)]),
    # Not examples: masks end at a convolution (Keras 3's Conv1D and
    # poolings do not support them).
    dict(stem="masking_conv_lstm",
         architecture="(coverage) Masking -> Conv1D(same) -> LSTM -> Dense: "
                      "the convolution drops the mask",
         source=MASKING_GUIDE,
         scaled="8 steps of 3 features, all-zero steps (masked by Masking, "
                "not by the LSTM)",
         dsl="input [8, 3]; masking(); "
             "conv1d(4, 3, padding = same, activation = relu); lstm(3); "
             "dense(1);",
         build=masking_conv_lstm,
         inputs=sensor_steps([[7], [0, 3], [1, 5, 6, 7]])),
    dict(stem="masked_causal_conv",
         architecture="(coverage) Embedding(mask_zero) -> causal Conv1D -> "
                      "GRU returning sequences: the convolution drops the "
                      "mask, and the model streams",
         source=MASKING_GUIDE,
         scaled="10 ids with zeros",
         dsl="input [_]; embedding(30, 4, mask_zero = true); "
             "conv1d(4, 2, padding = causal, dilation_rate = 2); "
             "gru(3, return_sequences = true);",
         build=masked_causal_conv,
         inputs=ids_with_zeros(30, [[3], [0, 8, 9], [2, 4]])),
    # Not examples: GlobalAveragePooling1D reads the mask (the mean of the
    # kept timesteps).
    dict(stem="masked_global_average",
         architecture="(coverage) Embedding(mask_zero) -> "
                      "GlobalAveragePooling1D -> Dense -> Dense: the average "
                      "of the kept timesteps",
         source=MASKING_GUIDE,
         scaled="10 ids with zeros (trailing padding and inside)",
         dsl="input [10]; embedding(50, 6, mask_zero = true); "
             "global_average_pooling1d(); dense(8, activation = relu); "
             "dense(1, activation = sigmoid);",
         build=masked_global_average,
         inputs=ids_with_zeros(50, [[7, 8, 9], [0, 4], [1, 2, 3, 5, 6, 8]])),
    dict(stem="masking_lstm_average",
         architecture="(coverage) Masking -> LSTM(return_sequences) -> "
                      "GlobalAveragePooling1D -> Dense",
         source=MASKING_GUIDE,
         scaled="8 steps of 3 features, all-zero steps masked",
         dsl="input [8, 3]; masking(); lstm(4, return_sequences = true); "
             "global_average_pooling1d(); dense(2);",
         build=masking_lstm_average,
         inputs=sensor_steps([[7], [0, 3], [1, 5, 6, 7]])),
]


def throwaway_models():
    """What the notebook built before: every layer class used below gets
    a counter above zero.  (New classes go into these models, not into new
    ones: a new model or Input would renumber every model after it.)"""
    keras.utils.set_random_seed(BASE_SEED)
    for units in (4, 8):
        keras.Sequential([keras.Input((20, 3)), L.LSTM(units),
                          L.Dense(1)])
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(50, 4)(inp)
    x = L.Conv1D(4, 3, padding="causal")(x)
    x = L.ReLU()(x)
    x = L.Bidirectional(L.GRU(4, return_sequences=True))(x)
    x = L.LayerNormalization()(x)
    x = L.SimpleRNN(3)(x)
    keras.Model(inp, L.Dense(1, activation="sigmoid")(L.Dropout(0.2)(x)))
    keras.Sequential([keras.Input((6, 2)), L.Masking(), L.LSTM(2)])
    keras.Sequential([keras.Input((6, 2)), L.Normalization(),
                      L.Conv1D(4, 3, padding="same"), L.MaxPooling1D(2),
                      L.GRU(2, return_sequences=True),
                      L.BatchNormalization(), L.Flatten(), L.Dense(3),
                      L.PReLU(), L.Dense(1)])
    inp = keras.Input((5, 2))
    x = L.RepeatVector(5)(L.LSTM(2)(inp))
    x = L.TimeDistributed(L.Dense(2))(x)
    keras.Model(inp, L.GlobalAveragePooling1D()(x))


# ---------------------------------------------------------------------------
# Reference (float64 NumPy): gen_keras_fixtures' layers plus the ones here
# ---------------------------------------------------------------------------
RNN_CLASSES = (L.SimpleRNN, L.LSTM, L.GRU)


def reference(layers, x):
    h = np.asarray(x, np.float64)
    mask = None  # per-timestep bool, only between a masking layer and an RNN
    for layer in layers:
        ws = [np.asarray(w, np.float64) for w in layer.get_weights()]
        cfg = layer.get_config()
        if isinstance(layer, L.Embedding):
            ids = np.asarray(x)
            h = ws[0][ids]
            mask = ids != 0 if cfg["mask_zero"] else None
            continue
        if isinstance(layer, L.Masking):
            mask = np.any(h != cfg["mask_value"], axis=-1)
            h = h * mask[:, None]
            continue
        if mask is not None and isinstance(layer, L.Bidirectional):
            # Each direction skips the masked steps; returning sequences, both
            # output zeros there (Bidirectional sets zero_output_for_mask) and
            # the mask goes on to the next layer (Keras 3 passes it along the
            # graph); returning one vector, the mask is used up.
            kept = h[mask]
            fwd = G.numpy_reference(
                type("One", (), {"layers": [layer.forward_layer]})(), kept)
            bwd = G.numpy_reference(
                type("One", (), {"layers": [layer.backward_layer]})(), kept)
            if layer.return_sequences:
                f_out = np.zeros((len(mask), fwd.shape[-1]))
                b_out = np.zeros((len(mask), bwd.shape[-1]))
                f_out[mask] = fwd
                b_out[mask] = bwd[::-1]  # processing order back to time order
                fwd, bwd = f_out, b_out
            mode = cfg["merge_mode"]
            h = {"concat": lambda: np.concatenate([fwd, bwd], axis=-1),
                 "sum": lambda: fwd + bwd, "ave": lambda: (fwd + bwd) / 2.0,
                 "mul": lambda: fwd * bwd}[mode]()
            if not layer.return_sequences:
                mask = None
            continue
        if mask is not None and isinstance(layer, RNN_CLASSES) \
                and cfg["go_backwards"]:
            # Reads the kept steps from the last; returning sequences, its
            # outputs come in that order, a masked step repeating the output
            # before it, while the mask passed on stays in time order (Keras).
            one = type("One", (), {"layers": [layer]})()
            kept = G.numpy_reference(one, h[mask])
            if not cfg["return_sequences"]:
                h, mask = kept, None
                continue
            out = np.zeros((len(mask), kept.shape[-1]))
            prev, k = np.zeros(kept.shape[-1]), 0
            for j, t in enumerate(range(len(mask) - 1, -1, -1)):
                if mask[t]:
                    prev, k = kept[k], k + 1
                out[j] = prev
            h = out
            continue
        if mask is not None and isinstance(layer, RNN_CLASSES):
            # An RNN skips the masked steps (keeps its state): its states are
            # those of the unmasked steps alone.  Returning its last output
            # it consumes the mask; returning sequences it passes the mask
            # on, a masked step repeating the output before it (zeros before
            # the first).
            one = type("One", (), {"layers": [layer]})()
            kept = G.numpy_reference(one, h[mask])
            if not cfg["return_sequences"]:
                h, mask = kept, None
                continue
            out = np.zeros((len(mask), kept.shape[-1]))
            prev, k = np.zeros(kept.shape[-1]), 0
            for t, keep in enumerate(mask):
                if keep:
                    prev, k = kept[k], k + 1
                out[t] = prev
            h = out
            continue
        if isinstance(layer, (L.Conv1D, L.MaxPooling1D, L.AveragePooling1D,
                              L.GlobalMaxPooling1D)):
            # Layers without mask support: Keras 3 drops the mask there.
            mask = None
        if mask is not None and isinstance(layer, L.GlobalAveragePooling1D):
            # The one pooling that reads a mask: the mean of the kept steps.
            h, mask = h[mask].mean(axis=0), None
            continue
        if mask is not None:
            # Per-timestep layers keep the mask as it is (TimeDistributed too:
            # Keras 3 hands the mask along the graph to the next layer).
            assert isinstance(layer, (L.Dense, L.Dropout, L.TimeDistributed)), layer
        if isinstance(layer, L.Normalization):
            mean, var = ws[0], ws[1]
            h = (h - mean) / np.maximum(np.sqrt(var), keras.config.epsilon())
        elif isinstance(layer, L.BatchNormalization):
            assert cfg["axis"] in (-1, [-1], 2, [2]), cfg
            gamma, beta, mean, var = ws
            h = (h - mean) / np.sqrt(var + cfg["epsilon"]) * gamma + beta
        elif isinstance(layer, L.Flatten):
            h = h.reshape(-1)
        elif isinstance(layer, L.RepeatVector):
            h = np.tile(h[None, :], (cfg["n"], 1))
        elif isinstance(layer, L.PReLU):
            assert not cfg["shared_axes"], cfg
            h = np.maximum(h, 0.0) - ws[0] * np.maximum(-h, 0.0)
        else:
            one = type("One", (), {"layers": [layer]})()
            h = G.numpy_reference(one, h)
    return h


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def chain_layers(model):
    return [lay for lay in model.layers
            if type(lay).__name__ != "InputLayer"]


def seeded_weights(model, rng):
    """Seeded values for every weight, in model.weights order."""
    out = []
    for var in model.weights:
        cur = np.asarray(var.numpy())
        name = G.short_name(var)
        layer_cls = var.path.split("/")[-2]
        if var.trainable:
            w = rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=cur.shape)
        elif name == "moving_mean":
            w = rng.standard_normal(cur.shape)
        elif name == "moving_variance":
            w = rng.uniform(0.5, 2.0, size=cur.shape)
        else:
            # Normalization's mean / variance / count: what adapt() computed.
            assert name in ("mean", "variance", "count"), var.path
            assert layer_cls.startswith("normalization"), var.path
            w = cur
        out.append(np.asarray(w).astype(cur.dtype))
    return out


def data_moving_statistics(model, chain, batch):
    """Every BatchNormalization's moving mean / variance set to what fitting
    leaves there (the moving averages' limit at these weights): the mean and
    variance, per channel, of the layer's input over `batch` (the training
    data), the earlier layers' statistics set first.  Computed with the
    float64 reference, which builds no Keras model (no name counter moves).
    Returns the model's weights."""
    for k, layer in enumerate(chain):
        if not isinstance(layer, L.BatchNormalization):
            continue
        h = np.stack([reference(chain[:k], x) for x in batch])
        h = h.reshape(-1, h.shape[-1])
        gamma, beta, mean, var = layer.get_weights()
        layer.set_weights([gamma, beta, h.mean(axis=0).astype(mean.dtype),
                           h.var(axis=0).astype(var.dtype)])
    return model.get_weights()


def run(model, x):
    return np.asarray(model(x[None], training=False))[0]


def input_json(x):
    if np.issubdtype(x.dtype, np.integer):
        return [int(v) for v in x]
    return G.f32list(x)


def check_head(stem, model, y):
    act = model.layers[-1].get_config().get("activation")
    if act in ("sigmoid", "softmax"):
        assert np.all((y > 1e-4) & (y < 1 - 1e-4)), (stem, "saturated", y)


def variable_path(model, var):
    """The variable's path without the model name.  A Sequential model's
    variables are created inside its scope (``sequential_3/lstm_2/...``), a
    Functional model's before it exists (``lstm_2/lstm_cell/kernel``)."""
    prefix = model.name + "/"
    return var.path[len(prefix):] if var.path.startswith(prefix) \
        else var.path


def weight_datasets(h5_bytes, model):
    """The HDF5 dataset (in model.weights.h5) of each get_weights() array,
    found by value, in get_weights() order."""
    info = KF.describe_hdf5(h5_bytes)
    layer_sets = {p: d for p, d in info["datasets"].items()
                  if p.startswith("layers/")}
    paths = KF._by_value(layer_sets, model.get_weights())
    rows = []
    for p, var in zip(paths, model.weights):
        d = info["datasets"][p]
        assert d["storage_size"] == np.dtype(d["dtype"]).itemsize * int(
            np.prod(d["shape"], dtype=np.int64)), d
        rows.append({"dataset": p, "variable": variable_path(model, var),
                     "shape": d["shape"], "dtype": d["dtype"],
                     "data_offset": d["data_offset"]})
    others = sorted(p for p in info["datasets"] if p not in layer_sets)
    return rows, [{"dataset": p, "shape": info["datasets"][p]["shape"],
                   "dtype": info["datasets"][p]["dtype"]} for p in others]


def summary_text(model):
    lines = []
    model.summary(print_fn=lambda s, line_break=False: lines.append(s))
    return "\n".join(lines)


def h5_of(path):
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("config.json")), z.read("model.weights.h5")


def save_and_reload(model, path, inputs, cases, weights):
    """Save deterministically; load_model must give the same weights (dtypes
    too) and exactly the same outputs."""
    with KF.deterministic_saving():
        model.save(path)
    loaded = keras.saving.load_model(path)
    assert len(loaded.get_weights()) == len(weights), path
    assert all(np.array_equal(a, b) and a.dtype == b.dtype
               for a, b in zip(loaded.get_weights(), weights)), path
    for x, k in zip(inputs, cases):
        assert G.f32list(run(loaded, x).astype(np.float32)) == k["output"], \
            path


def count(ws):
    return int(sum(int(np.prod(w.shape)) for w in ws))


def generate_model(index, spec, out_dir):
    """The model's fixture JSON, its .keras file and, for specs with
    `trained`, the compiled and fitted variant."""
    stem = spec["stem"]
    seed = BASE_SEED + index
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)  # initial weights (all replaced)
    model = spec["build"]()
    functional = not isinstance(model, keras.Sequential)

    adapt_info = None
    if "adapt" in spec:
        data = spec["adapt"](rng)
        norms = [lay for lay in model.layers
                 if isinstance(lay, L.Normalization)]
        assert len(norms) == 1, stem
        norms[0].adapt(data)
        adapt_info = {"layer": norms[0].name, "examples": int(data.shape[0]),
                      "shape": list(data.shape)}

    weights = seeded_weights(model, rng)
    model.set_weights(weights)
    chain = chain_layers(model)
    if "batch_statistics" in spec:
        batch = spec["batch_statistics"](rng)
        weights = data_moving_statistics(model, chain, batch)
    assert all(np.array_equal(a, b)
               for a, b in zip(model.get_weights(), weights)), stem
    inputs = [make(rng) for make in spec["inputs"]]

    cases, ref_err = [], 0.0
    for x in inputs:
        y = run(model, x).astype(np.float32)
        assert np.all(np.isfinite(y)), (stem, y)
        check_head(stem, model, y)
        ref = reference(chain, x)
        assert ref.shape == y.shape, (stem, ref.shape, y.shape)
        ref_err = max(ref_err, float(np.max(np.abs(ref - y))))
        cases.append({"input": input_json(x), "output": G.f32list(y)})
    assert ref_err < REF_TOL, (stem, ref_err)

    path = out_dir / f"{stem}.keras"
    save_and_reload(model, path, inputs, cases, weights)
    config, h5_bytes = h5_of(path)
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        groups = sorted(f["layers"].keys())
        top_groups = sorted(f.keys())
    datasets, other_datasets = weight_datasets(h5_bytes, model)
    assert not other_datasets, (stem, other_datasets)

    flat = [v for w in model.get_weights() for v in G.flat_f32(w)]
    assert len(flat) == model.count_params(), stem
    layers_json = [{
        "name": lay.name,
        "class": type(lay).__name__,
        "output_shape": G.shape_json(lay.output.shape),
        "params": int(lay.count_params()),
        "trainable_params": count(lay.trainable_weights),
        "non_trainable_params": count(lay.non_trainable_weights),
        "weights": [{"name": G.short_name(w), "shape": G.shape_json(w.shape),
                     "dtype": str(w.dtype), "trainable": bool(w.trainable)}
                    for w in lay.weights],
    } for lay in chain]
    for lj in layers_json:
        assert lj["params"] == lj["trainable_params"] \
            + lj["non_trainable_params"], (stem, lj)
    fixture = {
        "name": stem,
        "architecture": spec["architecture"],
        "source": spec["source"],
        "scaled": spec["scaled"],
        "dsl": spec["dsl"],
        "model_class": config["class_name"],
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "seed": seed,
        "input_layer": model.layers[0].name if functional else None,
        "input_dtype": str(inputs[0].dtype),
        # Keras's names (process-wide counters), the config.json layers
        # (Functional: also the InputLayer and mask operations such as
        # NotEqual, which model.layers leaves out) and the groups Keras 3
        # saved the weights under (class and place among siblings), sorted.
        "keras_names": [lay.name for lay in chain],
        "config_layers": [[lay["class_name"], lay["config"]["name"]]
                          for lay in config["config"]["layers"]],
        "weight_groups": groups,
        "h5_top_level": top_groups,
        "layers": layers_json,
        "total_params": int(model.count_params()),
        "trainable_params": count(model.trainable_weights),
        "non_trainable_params": count(model.non_trainable_weights),
        "weight_datasets": datasets,
        "normalization_adapt": adapt_info,
        "weights": flat,
        "cases": cases,
        "summary": summary_text(model),
        "files": {"keras": f"keras {keras.__version__}"},
        "numpy_reference_max_abs_err": ref_err,
    }
    trained = None
    if "trained" in spec:
        trained = generate_trained(spec, seed, model, weights, inputs, cases,
                                   out_dir)
    return fixture, trained


def generate_trained(spec, seed, model, weights, inputs, cases, out_dir):
    """The same model compiled with the source's optimizer and loss and
    fitted for one step (a notebook's file), then given the fixture's
    weights back: same outputs, plus compile_config and the optimizer's
    variables in the file."""
    stem, t = spec["stem"], spec["trained"]
    fit_rng = np.random.default_rng(seed + 1000)
    xs = np.stack([t["fit_x"](fit_rng) for _ in range(FIT_BATCH)])
    ys = t["fit_y"](fit_rng, FIT_BATCH)
    keras.utils.set_random_seed(seed + 1000)  # dropout during fit
    model.compile(optimizer=t["optimizer"](), loss=t["loss"],
                  metrics=t["metrics"])
    model.fit(xs, ys, batch_size=FIT_BATCH, epochs=1, shuffle=False,
              verbose=0)
    model.set_weights(weights)  # fit moved them (and BN / optimizer state)
    for x, k in zip(inputs, cases):
        assert G.f32list(run(model, x).astype(np.float32)) == k["output"], \
            stem
    d = out_dir / TRAINED_DIR
    d.mkdir(exist_ok=True)
    path = d / f"{stem}.keras"
    save_and_reload(model, path, inputs, cases, weights)
    config, h5_bytes = h5_of(path)
    datasets, other_datasets = weight_datasets(h5_bytes, model)
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        top_groups = sorted(f.keys())
        opt_name = f["optimizer/vars"].attrs["name"]
    return {
        "name": stem,
        "same_model_as": f"{stem}.json",
        "dsl": spec["dsl"],
        "optimizer": type(model.optimizer).__name__,
        "optimizer_group_name": opt_name,
        "loss": t["loss"],
        "metrics": t["metrics"],
        "fit_steps": 1,
        "fit_batch": FIT_BATCH,
        "compile_config": config["compile_config"],
        "h5_top_level": top_groups,
        "weight_datasets": datasets,
        "other_datasets": other_datasets,
        "optimizer_params": count(model.optimizer.variables),
        "summary": summary_text(model),
        "files": {"keras": f"keras {keras.__version__}"},
    }


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_rows(paths):
    return [{"file": str(p.relative_to(OUT_DIR)), "size": p.stat().st_size,
             "sha256": sha256(p)} for p in paths]


# The unsupported files are saved after the models that came before them in
# MODELS and before those added later (in the same process, their layer
# names carry the counters): no file is renumbered when a model is added.
UNSUPPORTED_BEFORE = "fcn_classifier"


def write_unsupported():
    """Models with options tinyrnn does not run, whose `inspect` must say so:
    a Normalization given its statistics as arguments (no weights hold them)
    and a PReLU on a sequence without `shared_axes` (an alpha per timestep)."""
    out = OUT_DIR / "unsupported"
    out.mkdir()
    models = {
        "normalization_arguments": keras.Sequential([
            keras.Input((5, 2)),
            L.Normalization(mean=[0.5, 1.0], variance=[2.0, 3.0]),
            L.LSTM(3), L.Dense(1)]),
        "prelu_per_timestep": keras.Sequential([
            keras.Input((5, 2)), L.LSTM(3, return_sequences=True),
            L.PReLU(), L.LSTM(2)]),
    }
    rows = []
    for stem, model in models.items():
        path = out / f"{stem}.keras"
        with KF.deterministic_saving():
            model.save(path)
        rows.append({"stem": stem, "files": file_rows([path])})
    return rows


def main():
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    versions = {"python": sys.version.split()[0],
                "keras": keras.__version__, "tensorflow": tf.__version__,
                "numpy": np.__version__, "h5py": h5py.version.version,
                "hdf5": h5py.version.hdf5_version}
    print("  ".join(f"{k} {v}" for k, v in versions.items()))
    stems = [m["stem"] for m in MODELS]
    assert len(set(stems)) == len(stems)
    throwaway_models()
    entries, trained_entries = [], []
    unsupported = None
    for i, spec in enumerate(MODELS):
        if spec["stem"] == UNSUPPORTED_BEFORE:
            unsupported = write_unsupported()
        fixture, trained = generate_model(i, spec, OUT_DIR)
        assert fixture["total_params"] <= 20_500, (spec["stem"],
                                                   fixture["total_params"])
        json_path = OUT_DIR / f"{spec['stem']}.json"
        json_path.write_text(G.fixture_text(fixture), encoding="utf-8")
        entries.append({"stem": spec["stem"],
                        "architecture": spec["architecture"],
                        "source": spec["source"],
                        "scaled": spec["scaled"],
                        "model_class": fixture["model_class"],
                        "dsl": spec["dsl"],
                        "total_params": fixture["total_params"],
                        "files": file_rows([OUT_DIR / f"{spec['stem']}.keras",
                                            json_path])})
        if trained is not None:
            tpath = OUT_DIR / TRAINED_DIR / f"{spec['stem']}.json"
            tpath.write_text(json.dumps(trained, allow_nan=False) + "\n",
                             encoding="utf-8")
            trained_entries.append({
                "stem": spec["stem"], "optimizer": trained["optimizer"],
                "loss": trained["loss"],
                "optimizer_params": trained["optimizer_params"],
                "files": file_rows([tpath.with_suffix(".keras"), tpath])})
        print(f"{spec['stem']:<27} {fixture['model_class']:<10} "
              f"{fixture['total_params']:>6} params  "
              f"ref err {fixture['numpy_reference_max_abs_err']:.1e}  "
              f"{fixture['keras_names']}"
              + ("  (+ trained)" if trained else ""))
    assert unsupported is not None, UNSUPPORTED_BEFORE
    manifest = {
        "generated_by": "tools/gen_keras_examples.py (see tools/README.md)",
        "versions": versions,
        "base_seed": BASE_SEED,
        "frozen_time": KF.FROZEN_TIME.isoformat(),
        "models": entries,
        "trained": trained_entries,
        "unsupported": unsupported,
    }
    text = KF.format_json(manifest) + "\n"
    assert json.loads(text) == json.loads(json.dumps(manifest))
    (OUT_DIR / "MANIFEST.json").write_text(text, encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT_DIR.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in OUT_DIR.rglob('*') if p.is_file())} files "
          f"({total} bytes) to {OUT_DIR}")


if __name__ == "__main__":
    main()
