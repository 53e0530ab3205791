"""Pure-PyTorch GAN engine: data, augmentation, networks, training, metrics and sampling.

It never imports Django, so it runs on its own (`python -m gan_engine`) and inside the portal's
Celery workers alike.

Where to start (nothing is imported here, so `import gan_engine.demo_data` stays torch-free):

- presets.make_config(preset, overrides) -> config.TrainConfig (ValueError names a bad key)
- data.load_image_folder(path, config.resolution) -> data.ImageSet
- train.train(config, data, out_dir, callbacks=train.Callbacks(...), resume=True) -> TrainResult
  (out_dir/checkpoint.pt while running, out_dir/generator.pt when done)
- sample.load_sampling_model(generator.pt or checkpoint.pt) and sample.generate(generator,
  labels, seeds) -> uint8 images; sample.write_samples for class folders of PNGs
- metrics.evaluate(real, fake, ...) -> metrics.EvaluationReport
- demo_data.write_ihc_demo_set(out_dir) -> class name -> count
"""
