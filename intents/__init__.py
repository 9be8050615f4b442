"""Chinese NLU for the citizen hub.

Public API (what the hub imports):
- ``intents.engine.NluEngine`` (``parse``/``parse_sync``/``train``/``save``/``load``)
- ``intents.store.load_or_train(nlu_config, vocabulary, base_dir)``
- ``intents.rasa.RasaHttpUnderstanding`` and ``build_understanding(nlu_config, engine)``
- ``intents.http.parse_routes(understanding)`` (Rasa-compatible ``POST /model/parse``)
- ``intents.cli.register(subparsers)`` and ``vocabulary_from_config(config)``
- ``intents.loader.load_training_data`` / ``TrainingData`` / ``TrainingDataError``
"""
